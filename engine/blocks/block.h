// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/credentials/credential.h"
#include "engine/llm/llmcatalog.h"
#include "engine/net/httpclient.h"
#include "model/execution.h"
#include "model/result.h"
#include "model/review.h"
#include "model/value.h"

#include <functional>

namespace Signalbox::Engine {

class GraphSnapshot;

// What a block sees while it runs. Implemented by the pipeline; used from the
// worker thread that runs the block.
class BlockContext
{
public:
    virtual ~BlockContext() = default;

    // Hands one output to the pipeline. A block may yield several values on
    // the same pin; each is delivered on its own. Yielding on "error" fails
    // the node with that message.
    virtual void yield(const QString &pin, const Model::Value &value) = 0;
    // True once the run was asked to stop; long work checks it.
    virtual bool isCancelled() const = 0;
    // Waits up to `milliseconds`, waking at once when the run is stopped.
    // Returns false if it was stopped.
    virtual bool sleep(qint64 milliseconds) = 0;
    virtual const Model::ExecutionContext &executionContext() const = 0;

    // Per-user key-value data shared across runs (get/set_execution_kv_data).
    virtual Result<std::optional<Model::Value>> readKeyValue(const QString &key) = 0;
    virtual Result<void> writeKeyValue(const QString &key, const Model::Value &value) = 0;

    // A human review of `data` for this node execution (AutoGPT's
    // HITLReviewHelper.handle_review_decision): the decision when there is
    // one — an approval of this node execution, or of its node for the rest
    // of the run, or a decided review, which is then marked processed — and
    // none while the review waits, in which case the node pauses when the
    // block returns and runs again once the review is decided. With
    // `nodeApproval` Ignored, an approval of the node for the rest of the
    // run does not answer: this execution's own review does.
    enum class NodeApproval { Applies, Ignored };
    virtual Result<std::optional<Model::ReviewResult>>
    reviewDecision(const Model::Value &data, const QString &instructions, bool editable,
                   NodeApproval nodeApproval = NodeApproval::Applies)
    {
        Q_UNUSED(data);
        Q_UNUSED(instructions);
        Q_UNUSED(editable);
        Q_UNUSED(nodeApproval);
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("A human review needs a graph execution to pause"));
    }
    // Carries a person's approval of this node execution's review over to
    // node `nodeId` of the same run, for exactly `input`: the review its
    // block asks for on that input is answered without asking again (a
    // grant of that node for the run and that payload, made by whoever
    // approved). Refused unless a person approved this execution's review.
    virtual Result<void> carryApproval(const QString &nodeId, const Model::Value &input)
    {
        Q_UNUSED(nodeId);
        Q_UNUSED(input);
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("An approval can only be carried in a graph run"));
    }

    // The credentials a credentials input refers to ({"id", "provider",
    // "type", ...}) with their secret, an OAuth access token refreshed first
    // when it runs out. From then on every value the block yields and the
    // error it fails with are masked of that secret.
    virtual Result<std::pair<Credential, CredentialSecret>> credentials(const Model::Value &meta)
    {
        Q_UNUSED(meta);
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("Credentials can only be used in a graph run"));
    }
    // What outgoing requests may do.
    virtual NetworkPolicy networkPolicy() const { return {}; }

    // What the block has produced so far on `pin`, shown live while it
    // works (an answer streaming in). Not an output: only yield delivers.
    virtual void progress(const QString &pin, const QString &text)
    {
        Q_UNUSED(pin);
        Q_UNUSED(text);
    }
    // Adds to the node execution's stats (AutoGPT's merge_stats): numbers
    // are summed, anything else replaced.
    virtual void mergeStats(const QJsonObject &stats) { Q_UNUSED(stats); }
    // The language models and providers, with the user's settings.
    virtual const Llm::Catalog &llmCatalog() const { return Llm::Catalog::builtin(); }
    // Whether model answers are streamed.
    virtual bool streamAnswers() const { return true; }
    // The graph the block runs in (for blocks that look at their links),
    // or null outside a graph run.
    virtual std::shared_ptr<const GraphSnapshot> graphSnapshot() const { return nullptr; }
};

// A block's behaviour: runs once on a complete, validated input. Returning an
// Error fails the node with its message (AutoGPT's BlockExecutionError).
// Must be reentrant: the same function runs on many threads at once.
using BlockFunction
    = std::function<Result<void>(const Model::ValueMap &input, BlockContext &context)>;

// A failure inside a block, as a result.
inline Error blockError(QString message)
{
    return makeError(ErrorCode::BadInput, std::move(message));
}

} // namespace Signalbox::Engine
