#pragma once

#include <QByteArray>
#include <QString>

#include <utility>

// Bytes made from user input, or an error that says what is wrong and where.
struct BytesResult
{
    QByteArray bytes;
    QString error; // empty on success
    qsizetype position = -1; // 0-based index into the input of the first problem

    bool ok() const { return error.isEmpty(); }
    static BytesResult success(QByteArray data) { return { std::move(data), {}, -1 }; }
    static BytesResult failure(QString message, qsizetype at)
    {
        return { {}, std::move(message), at };
    }
};
