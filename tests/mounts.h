#pragma once

// Disks that fail on purpose, for tests: a full tmpfs, a read-only tmpfs, and
// a resolver that stays on loopback. All of it lives in a private mount
// namespace that the test program makes for itself before any thread starts,
// so nothing is mounted for the rest of the machine and everything goes away
// with the test's processes. Needs root (CAP_SYS_ADMIN); where it cannot be
// had, tests skip the cases that need it and say why. Header-only, test use.

#include <QByteArray>
#include <QFile>
#include <QString>

#include <cerrno>
#include <cstring>
#include <sched.h>
#include <sys/mount.h>

namespace mounts {

// Why there is no private mount namespace, or empty when there is one.
inline QString &problem()
{
    static QString reason = QStringLiteral("mounts::enterPrivateNamespace() was not called");
    return reason;
}

inline bool available()
{
    return problem().isEmpty();
}

inline QString errnoText(const char *what)
{
    return QStringLiteral("%1: %2").arg(
        QString::fromLatin1(what), QString::fromLocal8Bit(std::strerror(errno)));
}

// Call first in main(): unshare() refuses a process with several threads.
inline void enterPrivateNamespace()
{
    if (::unshare(CLONE_NEWNS) != 0) {
        problem()
            = errnoText("unshare(CLONE_NEWNS)") + QStringLiteral(" (root is needed to mount)");
        return;
    }
    // Nothing mounted here may reach the machine's own namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        problem() = errnoText("mount --make-rprivate /");
        return;
    }
    problem().clear();
}

// A tmpfs on a folder of the test's, unmounted when it goes. options as for
// mount(8): "size=64k", "ro".
class Tmpfs
{
public:
    Tmpfs() = default;
    ~Tmpfs() { unmount(); }
    Tmpfs(const Tmpfs &) = delete;
    Tmpfs &operator=(const Tmpfs &) = delete;

    bool mount(const QString &folder, const QByteArray &options)
    {
        if (!available()) {
            m_error = problem();
            return false;
        }
        unsigned long flags = 0;
        QByteArray data = options;
        if (options == "ro") {
            flags = MS_RDONLY;
            data.clear();
        }
        const QByteArray path = QFile::encodeName(folder);
        if (::mount("tmpfs", path.constData(), "tmpfs", flags,
                data.isEmpty() ? nullptr : data.constData())
            != 0) {
            m_error = errnoText("mount -t tmpfs");
            return false;
        }
        m_path = path;
        return true;
    }
    // The same file system, from now on read-only (what is there stays).
    bool remountReadOnly()
    {
        if (::mount("tmpfs", m_path.constData(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
            m_error = errnoText("mount -o remount,ro");
            return false;
        }
        return true;
    }
    void unmount()
    {
        if (!m_path.isEmpty())
            ::umount2(m_path.constData(), MNT_DETACH);
        m_path.clear();
    }
    QString error() const { return m_error; }

private:
    QByteArray m_path;
    QString m_error;
};

// Name lookups that never leave the machine: a resolv.conf naming only
// 127.0.0.1 is bound over /etc/resolv.conf (in this namespace only), so a
// name that does not exist is "not found" without asking the network. A
// lookup through systemd-resolved (nsswitch "resolve") would not read it:
// then this says why it cannot be had.
inline QString keepLookupsOnLoopback(const QString &scratchFile)
{
    if (!available())
        return problem();
    QFile nsswitch(QStringLiteral("/etc/nsswitch.conf"));
    if (nsswitch.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : nsswitch.readAll().split('\n')) {
            const QByteArray simple = line.simplified();
            if (simple.startsWith("hosts:") && simple.contains("resolve"))
                return QStringLiteral(
                    "hosts are looked up through systemd-resolved (nsswitch.conf)");
        }
    }
    QFile conf(scratchFile);
    if (!conf.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || conf.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n") < 0)
        return QStringLiteral("cannot write %1").arg(scratchFile);
    conf.close();
    if (!QFile::exists(QStringLiteral("/etc/resolv.conf")))
        return {}; // without one, the C library asks 127.0.0.1 anyway
    const QByteArray source = QFile::encodeName(scratchFile);
    if (::mount(source.constData(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0)
        return errnoText("mount --bind over /etc/resolv.conf");
    return {};
}

} // namespace mounts
