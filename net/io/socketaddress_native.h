#pragma once

// The one conversion from the operating system's socket address to ours,
// shared by nativesocket_posix.cpp and nativesocket_win.cpp. Included after
// the OS's own headers (<netinet/in.h>, or <winsock2.h> and <ws2tcpip.h>),
// which name sockaddr_storage, sockaddr_in and sockaddr_in6 alike.

#include "net/io/nativesocket.h"

#include <cstring>

namespace io {

inline SocketAddress fromNative(const sockaddr_storage &storage)
{
    SocketAddress address;
    if (storage.ss_family == AF_INET) {
        const auto *in = reinterpret_cast<const sockaddr_in *>(&storage);
        std::memcpy(address.bytes, &in->sin_addr, 4);
        address.port = ntohs(in->sin_port);
    } else if (storage.ss_family == AF_INET6) {
        const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&storage);
        std::memcpy(address.bytes, &in6->sin6_addr, 16);
        address.port = ntohs(in6->sin6_port);
        address.scopeId = in6->sin6_scope_id;
        address.ipv6 = true;
    } else {
        return {};
    }
    address.valid = true;
    return address;
}

} // namespace io
