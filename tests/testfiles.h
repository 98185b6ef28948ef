#pragma once

// Files the tests write and check: whole or reported as failed, and their
// SHA-256.

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QList>
#include <QRandomGenerator>
#include <QString>

#include <algorithm>

namespace testfiles {

// The file's SHA-256 in hex, or a text that matches no hash.
inline QByteArray sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "(cannot read " + path.toUtf8() + ')';
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

// size pseudo-random bytes, the same for the same seed.
inline bool writeRandom(const QString &path, qint64 size, quint32 seed)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QRandomGenerator random(seed);
    QList<quint32> chunk(64 * 1024);
    for (qint64 left = size; left > 0;) {
        random.fillRange(chunk.data(), chunk.size());
        const qint64 n = std::min<qint64>(left, chunk.size() * 4);
        if (file.write(reinterpret_cast<const char *>(chunk.constData()), n) != n)
            return false;
        left -= n;
    }
    return true;
}

inline bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        && file.write(bytes) == bytes.size();
}

} // namespace testfiles
