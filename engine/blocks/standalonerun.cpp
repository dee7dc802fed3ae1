// SPDX-License-Identifier: GPL-3.0-or-later
#include "standalonerun.h"

#include "block.h"
#include "blockpipeline.h"
#include "blockregistry.h"
#include "mediafile.h"

#include "engine/dynamicpins.h"
#include "model/uuid.h"

#include <QHash>
#include <QThread>

namespace Signalbox::Engine {

namespace {

class StandaloneContext final : public BlockContext
{
public:
    StandaloneContext(StandaloneRun &run, const Llm::Catalog *catalog)
        : m_run(run)
        , m_catalog(catalog)
    {
        m_context.userId = QString(Model::kDefaultUserId);
        // Files a block stores need an execution to belong to.
        m_context.graphExecId = Model::createTimeOrderedUuid();
    }
    ~StandaloneContext() override { MediaFile::removeExecutionFolder(m_context.graphExecId); }

    void yield(const QString &pin, const Model::Value &value) override
    {
        m_run.outputs.append({pin, value});
    }
    bool isCancelled() const override { return false; }
    bool sleep(qint64 milliseconds) override
    {
        QThread::msleep(quint64(milliseconds));
        return true;
    }
    const Model::ExecutionContext &executionContext() const override { return m_context; }
    Result<std::optional<Model::Value>> readKeyValue(const QString &key) override
    {
        const auto it = m_values.constFind(key);
        if (it == m_values.constEnd() || !Model::pythonTruthy(*it))
            return std::optional<Model::Value>();
        return std::optional<Model::Value>(*it);
    }
    Result<void> writeKeyValue(const QString &key, const Model::Value &value) override
    {
        m_values.insert(key, value);
        return {};
    }
    const Llm::Catalog &llmCatalog() const override
    {
        return m_catalog ? *m_catalog : Llm::Catalog::builtin();
    }
    bool streamAnswers() const override { return false; }

private:
    StandaloneRun &m_run;
    const Llm::Catalog *m_catalog;
    Model::ExecutionContext m_context;
    QHash<QString, Model::Value> m_values;
};

} // namespace

Model::ValueMap StandaloneRun::toValue() const
{
    Model::ValueList list;
    for (const auto &[pin, value] : outputs)
        list.append(Model::ValueList {pin, value});
    Model::ValueMap map;
    map.insert(QStringLiteral("status"),
               completed ? QStringLiteral("COMPLETED") : QStringLiteral("FAILED"));
    map.insert(QStringLiteral("outputs"), list);
    map.insert(QStringLiteral("error"), completed ? Model::Value(nullptr) : Model::Value(error));
    return map;
}

StandaloneRun runBlockStandalone(const BlockRegistry &registry, const QString &blockId,
                                 const Model::ValueMap &input, const Llm::Catalog *catalog)
{
    StandaloneRun run;
    auto merged = mergeDynamicInputs(input);
    if (!merged) {
        run.error = merged.error().message;
        return run;
    }
    StandaloneContext context(run, catalog);
    const Result<void> result = executeBlock(registry, blockId, *merged, context);
    run.completed = result.ok();
    if (!result)
        run.error = result.error().message;
    return run;
}

} // namespace Signalbox::Engine
