// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLatin1StringView>

// AutoGPT's block ids, which Signalbox keeps so that exports import unchanged.
namespace Signalbox::Engine::BlockIds {

inline constexpr QLatin1StringView SmartDecisionMaker("3b191d9f-356f-482d-8238-ba04b6d18381");
inline constexpr QLatin1StringView StoreValue("1ff065e9-88e8-4358-9d82-8dc91f622ba9");
inline constexpr QLatin1StringView PrintToConsole("f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c");
inline constexpr QLatin1StringView Note("cc10ff7b-7753-4ff2-9af6-9399b1a7eddc");
inline constexpr QLatin1StringView UniversalTypeConverter("95d1b990-ce13-4d88-9737-ba5c2070c97b");
inline constexpr QLatin1StringView ReverseListOrder("422cb708-3109-4277-bfe3-bc2ae5812777");
inline constexpr QLatin1StringView AgentInput("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b");
inline constexpr QLatin1StringView AgentOutput("363ae599-353e-4804-937e-b2ee3cef3da4");
inline constexpr QLatin1StringView AgentShortTextInput("7fcd3bcb-8e1b-4e69-903d-32d3d4a92158");
inline constexpr QLatin1StringView AgentLongTextInput("90a56ffb-7024-4b2b-ab50-e26c5e5ab8ba");
inline constexpr QLatin1StringView AgentNumberInput("96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98");
inline constexpr QLatin1StringView AgentDateInput("7e198b09-4994-47db-8b4d-952d98241817");
inline constexpr QLatin1StringView AgentTimeInput("2a1c757e-86cf-4c7e-aacf-060dc382e434");
inline constexpr QLatin1StringView AgentFileInput("95ead23f-8283-4654-aef3-10c053b74a31");
inline constexpr QLatin1StringView AgentDropdownInput("655d6fdf-a334-421c-b733-520549c07cd1");
inline constexpr QLatin1StringView AgentToggleInput("cbf36ab5-df4a-43b6-8a7f-f7ed8652116e");
inline constexpr QLatin1StringView
    AgentGoogleDriveFileInput("d3b32f15-6fd7-40e3-be52-e083f51b19a2");
inline constexpr QLatin1StringView AgentTableInput("5603b273-f41e-4020-af7d-fbc9c6a8d928");
inline constexpr QLatin1StringView CountItems("3c9c2f42-b0c3-435f-ba35-05f7a25c772a");
inline constexpr QLatin1StringView StepThroughItems("f66a3543-28d3-4ab5-8945-9b336371e2ce");
inline constexpr QLatin1StringView CreateDictionary("b924ddf4-de4f-4b56-9a85-358930dcbc91");
inline constexpr QLatin1StringView AddToDictionary("31d1064e-7446-4693-a7d4-65e5ca1180d1");
inline constexpr QLatin1StringView FindInDictionary("0e50422c-6dee-4145-83d6-3a5a392f65de");
inline constexpr QLatin1StringView RemoveFromDictionary("46afe2ea-c613-43f8-95ff-6692c3ef6876");
inline constexpr QLatin1StringView ReplaceDictionaryValue("27e31876-18b6-44f3-ab97-f6226d8b3889");
inline constexpr QLatin1StringView DictionaryIsEmpty("a3cf3f64-6bb9-4cc6-9900-608a0b3359b0");
inline constexpr QLatin1StringView CreateList("a912d5c7-6e00-4542-b2a9-8034136930e4");
inline constexpr QLatin1StringView AddToList("aeb08fc1-2fc1-4141-bc8e-f758f183a822");
inline constexpr QLatin1StringView FindInList("5e2c6d0a-1e37-489f-b1d0-8e1812b23333");
inline constexpr QLatin1StringView GetListItem("262ca24c-1025-43cf-a578-534e23234e97");
inline constexpr QLatin1StringView RemoveFromList("d93c5a93-ac7e-41c1-ae5c-ef67e6e9b826");
inline constexpr QLatin1StringView ReplaceListItem("fbf62922-bea1-4a3d-8bac-23587f810b38");
inline constexpr QLatin1StringView ListIsEmpty("896ed73b-27d0-41be-813c-c1c1dc856c03");
inline constexpr QLatin1StringView ConcatenateLists("3cf9298b-5817-4141-9d80-7c2cc5199c8e");
inline constexpr QLatin1StringView FlattenList("cc45bb0f-d035-4756-96a7-fe3e36254b4d");
inline constexpr QLatin1StringView InterleaveLists("9f616084-1d9f-4f8e-bc00-5b9d2a75cd75");
inline constexpr QLatin1StringView ZipLists("0d0e684f-5cb9-4c4b-b8d1-47a0860e0c07");
inline constexpr QLatin1StringView ListDifference("05309873-9d61-447e-96b5-b804e2511829");
inline constexpr QLatin1StringView ListIntersection("b6eb08b6-dbe3-411b-b9b4-2508cb311a1f");
inline constexpr QLatin1StringView Condition("715696a0-e1da-45c8-b209-c2fa9c3b0be6");
inline constexpr QLatin1StringView IfInputMatches("6dbbc4b3-ca6c-42b6-b508-da52d23e13f2");
inline constexpr QLatin1StringView Calculator("b1ab9b19-67a6-406d-abf5-2dba76d00c79");
inline constexpr QLatin1StringView HumanInTheLoop("8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d");
inline constexpr QLatin1StringView AgentExecutor("e189baac-8c20-45a1-94a7-55177ea42565");

} // namespace Signalbox::Engine::BlockIds
