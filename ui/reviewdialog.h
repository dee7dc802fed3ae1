// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/blocks/blockpipeline.h"
#include "model/review.h"

#include <QDialog>
#include <QHash>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QTreeWidget;

namespace Signalbox::Ui {

// The HumanReview dialog (DESIGN §4): the block and graph under review, the
// instructions, the payload (Markdown text, a table for a list of objects, a
// JSON tree otherwise), a countdown to the deadline that pulses in the last
// five minutes, and three modes: view, edit (when editable) and reject (a
// reason is required). Approve (Ctrl+Enter), approve and allow the node to
// run without asking (a grant: for the rest of the run, in every run of the
// graph for a while or until revoked, optionally only for this payload), or
// reject. It records nothing itself: it
// emits the decision, and its owner reports back a decision made elsewhere
// first. Edit drafts are kept in `drafts` (by node execution id), so they
// survive closing the dialog.
class ReviewDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Mode { View, Edit, Reject };

    ReviewDialog(const Model::PendingReview &review, const QString &blockName,
                 const QString &graphName, QHash<QString, QString> *drafts, QWidget *parent);

    const Model::PendingReview &review() const { return m_review; }
    Mode mode() const;
    void setMode(Mode mode);
    QPlainTextEdit *editor() const { return m_edit; }
    QPlainTextEdit *reasonField() const { return m_reason; }
    QLineEdit *messageField() const { return m_message; }
    QLabel *countdownLabel() const { return m_countdown; }
    QLabel *problemLabel() const { return m_problem; }
    QWidget *payloadView() const { return m_payloadView; }
    bool isPulsing() const { return m_pulsing; }
    QComboBox *grantScopeBox() const { return m_grantScope; }
    QCheckBox *grantPayloadBox() const { return m_grantPayload; }
    QPushButton *approveAndAllowButton() const { return m_approveAll; }
    // What "Approve and allow" grants, as chosen.
    Model::GrantRequest grantRequest() const;
    // Who decides here: with a quorum, says whether their approval is
    // counted already; where the run's starter may not approve, and they
    // started it, Approve is off.
    void setReviewer(const QString &name);
    QLabel *quorumLabel() const { return m_quorum; }
    QPushButton *approveButton() const { return m_approve; }
    // A decided review: who decided, when and how, and what they changed;
    // nothing can be sent. `yoursRefused`: another reviewer decided first.
    void showDecided(const Model::PendingReview &decided, bool yoursRefused);
    void showDecidedElsewhere(const Model::PendingReview &decided) { showDecided(decided, true); }
    // For a sensitive action: what the block will receive for a payload
    // (validated, defaults applied, secrets masked), shown for the payload
    // and, in Edit mode, for the edit.
    using BlockInputPreview = std::function<Engine::PreparedInput(const Model::Value &)>;
    void setBlockInputPreview(BlockInputPreview preview);
    QTabWidget *detailsTabs() const { return m_details; }
    QTreeWidget *changesList() const { return m_changes; }
    QTreeWidget *blockInputList() const { return m_preview; }
    QLabel *blockInputProblems() const { return m_previewProblems; }

Q_SIGNALS:
    void decisionMade(const QString &nodeExecId, const Model::ReviewDecision &decision);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void approve(bool allow);
    void rejectReview();
    void updateCountdown();
    void showProblem(const QString &text);
    void updateQuorum();
    // The editor's text as the data it sends: text for a text payload,
    // otherwise JSON (an error saying where it is not).
    Result<Model::Value> editedData() const;
    // The Changes and Block input tabs, from the payload or the edit.
    void updateDetails();
    // Approve, and Approve and allow with its grant choice, as the mode,
    // a decision made elsewhere, the quorum and the reviewer allow.
    void updateButtons();
    QWidget *payloadWidget(const Model::Value &payload);
    // A SmartDecisionMaker's proposed tool calls ({tool_calls, conversation}).
    static bool isToolCallReview(const Model::Value &payload);
    QWidget *toolCallWidget(const Model::Value &payload);

    Model::PendingReview m_review;
    QHash<QString, QString> *m_drafts;
    QButtonGroup *m_modes;
    QStackedWidget *m_pages;
    QSplitter *m_split;
    QTabWidget *m_details;
    QTreeWidget *m_changes;
    QTreeWidget *m_preview;
    QLabel *m_previewProblems;
    QTimer *m_detailsTimer;
    // What an edit is compared with: the payload, or for a model's tool
    // calls, the calls.
    Model::Value m_editBase;
    BlockInputPreview m_blockPreview;
    QWidget *m_payloadView;
    QPlainTextEdit *m_edit;
    QPlainTextEdit *m_reason;
    QLineEdit *m_message;
    QLabel *m_countdown;
    QLabel *m_problem;
    QLabel *m_banner;
    QLabel *m_quorum;
    QString m_reviewer;
    bool m_mayApprove = true;
    QPushButton *m_approve;
    QPushButton *m_approveAll;
    QComboBox *m_grantScope;
    QCheckBox *m_grantPayload;
    QPushButton *m_reject;
    QTimer *m_timer;
    bool m_pulsing = false;
    bool m_pulseOn = false;
};

} // namespace Signalbox::Ui
