// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/value.h"

#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>

#include <cmath>
#include <string>
#include <utility>

// A valijson adapter over Signalbox's values, so that block inputs are
// validated as they are held: 64-bit integers stay integers (valijson's Qt
// adapter reads numbers through 32-bit ints) and nothing is converted first.
namespace Signalbox::Engine::ValueSchema {

class ValueAdapter;
class ArrayIterator;
class MemberIterator;
using Member = std::pair<std::string, ValueAdapter>;

class Array
{
public:
    using const_iterator = ArrayIterator;
    using iterator = ArrayIterator;

    Array() = default;
    explicit Array(Model::ValueList array)
        : m_array(std::move(array))
    { }
    ArrayIterator begin() const;
    ArrayIterator end() const;
    size_t size() const { return size_t(m_array.size()); }

private:
    Model::ValueList m_array;
};

class Object
{
public:
    using const_iterator = MemberIterator;
    using iterator = MemberIterator;

    Object() = default;
    explicit Object(Model::ValueMap map)
        : m_map(std::move(map))
    { }
    MemberIterator begin() const;
    MemberIterator end() const;
    MemberIterator find(const std::string &name) const;
    size_t size() const { return size_t(m_map.size()); }

private:
    Model::ValueMap m_map;
};

class FrozenValue : public valijson::adapters::FrozenValue
{
public:
    explicit FrozenValue(Model::Value value)
        : m_value(std::move(value))
    { }
    valijson::adapters::FrozenValue *clone() const override { return new FrozenValue(m_value); }
    bool equalTo(const valijson::adapters::Adapter &other, bool strict) const override;

private:
    Model::Value m_value;
};

class Value
{
public:
    Value() = default;
    Value(Model::Value value)
        : m_value(std::move(value))
    { }

    valijson::adapters::FrozenValue *freeze() const { return new FrozenValue(m_value); }

    opt::optional<Array> getArrayOptional() const
    {
        if (!m_value.isArray())
            return {};
        return opt::make_optional(Array(m_value.toArray()));
    }
    bool getArraySize(size_t &result) const
    {
        if (!m_value.isArray())
            return false;
        result = size_t(m_value.toArray().size());
        return true;
    }
    bool getBool(bool &result) const
    {
        if (!m_value.isBool())
            return false;
        result = m_value.toBool();
        return true;
    }
    bool getDouble(double &result) const
    {
        if (!isNumber())
            return false;
        result = m_value.isInteger() ? double(m_value.toInteger()) : m_value.toDouble();
        return true;
    }
    bool getInteger(int64_t &result) const
    {
        if (!isInteger())
            return false;
        result = m_value.isInteger() ? m_value.toInteger() : qint64(m_value.toDouble());
        return true;
    }
    opt::optional<Object> getObjectOptional() const
    {
        if (!m_value.isMap())
            return {};
        return opt::make_optional(Object(m_value.toMap()));
    }
    bool getObjectSize(size_t &result) const
    {
        if (!m_value.isMap())
            return false;
        result = size_t(m_value.toMap().size());
        return true;
    }
    bool getString(std::string &result) const
    {
        if (!m_value.isString())
            return false;
        result = m_value.toString().toStdString();
        return true;
    }
    static bool hasStrictTypes() { return true; }
    bool isArray() const { return m_value.isArray(); }
    bool isBool() const { return m_value.isBool(); }
    bool isDouble() const { return m_value.isDouble(); }
    // JSON Schema's integer: a number without a fractional part.
    bool isInteger() const
    {
        if (m_value.isInteger())
            return true;
        if (!m_value.isDouble())
            return false;
        const double number = m_value.toDouble();
        return std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.2e18;
    }
    bool isNull() const { return m_value.isNull() || m_value.isUndefined(); }
    bool isNumber() const { return m_value.isInteger() || m_value.isDouble(); }
    bool isObject() const { return m_value.isMap(); }
    bool isString() const { return m_value.isString(); }

private:
    Model::Value m_value;
};

class ValueAdapter
    : public valijson::adapters::BasicAdapter<ValueAdapter, Array, Member, Object, Value>
{
public:
    ValueAdapter()
        : BasicAdapter()
    { }
    ValueAdapter(const Model::Value &value)
        : BasicAdapter(Value(value))
    { }
};

class ArrayIterator
{
public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = ValueAdapter;
    using difference_type = ValueAdapter;
    using pointer = ValueAdapter *;
    using reference = ValueAdapter &;

    ArrayIterator(Model::ValueList array, qsizetype index)
        : m_array(std::move(array))
        , m_index(index)
    { }
    ValueAdapter operator*() const { return ValueAdapter(m_array.at(m_index)); }
    valijson::adapters::DerefProxy<ValueAdapter> operator->() const
    {
        return valijson::adapters::DerefProxy<ValueAdapter>(**this);
    }
    bool operator==(const ArrayIterator &other) const { return m_index == other.m_index; }
    bool operator!=(const ArrayIterator &other) const { return m_index != other.m_index; }
    const ArrayIterator &operator++()
    {
        ++m_index;
        return *this;
    }
    ArrayIterator operator++(int)
    {
        ArrayIterator before = *this;
        ++m_index;
        return before;
    }
    const ArrayIterator &operator--()
    {
        --m_index;
        return *this;
    }
    void advance(std::ptrdiff_t n) { m_index += n; }

private:
    Model::ValueList m_array;
    qsizetype m_index;
};

class MemberIterator
{
public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = Member;
    using difference_type = Member;
    using pointer = Member *;
    using reference = Member &;

    MemberIterator(Model::ValueMap map, Model::ValueMap::ConstIterator at)
        : m_map(std::move(map))
        , m_at(at)
    { }
    Member operator*() const
    {
        return Member(m_at.key().toString().toStdString(), ValueAdapter(m_at.value()));
    }
    valijson::adapters::DerefProxy<Member> operator->() const
    {
        return valijson::adapters::DerefProxy<Member>(**this);
    }
    bool operator==(const MemberIterator &other) const { return m_at == other.m_at; }
    bool operator!=(const MemberIterator &other) const { return m_at != other.m_at; }
    const MemberIterator &operator++()
    {
        ++m_at;
        return *this;
    }
    MemberIterator operator++(int)
    {
        MemberIterator before = *this;
        ++m_at;
        return before;
    }
    const MemberIterator &operator--(int)
    {
        --m_at;
        return *this;
    }

private:
    // Keeps the map (and so the iterator's data) alive.
    Model::ValueMap m_map;
    Model::ValueMap::ConstIterator m_at;
};

inline bool FrozenValue::equalTo(const valijson::adapters::Adapter &other, bool strict) const
{
    return ValueAdapter(m_value).equalTo(other, strict);
}

inline ArrayIterator Array::begin() const
{
    return {m_array, 0};
}

inline ArrayIterator Array::end() const
{
    return {m_array, m_array.size()};
}

inline MemberIterator Object::begin() const
{
    return {m_map, m_map.constBegin()};
}

inline MemberIterator Object::end() const
{
    return {m_map, m_map.constEnd()};
}

inline MemberIterator Object::find(const std::string &name) const
{
    return {m_map, m_map.constFind(QString::fromStdString(name))};
}

} // namespace Signalbox::Engine::ValueSchema

template<> struct valijson::adapters::AdapterTraits<Signalbox::Engine::ValueSchema::ValueAdapter>
{
    using DocumentType = Signalbox::Model::Value;
    static std::string adapterName() { return "SignalboxValueAdapter"; }
};
