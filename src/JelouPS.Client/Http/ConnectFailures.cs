using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace JelouPS.Http
{
    /// <summary>Failures that kept a connection from opening: none of the request can have left.</summary>
    internal static class ConnectFailures
    {
        private static readonly SocketError[] ConnectErrors =
        {
            SocketError.ConnectionRefused, SocketError.HostNotFound, SocketError.TryAgain, SocketError.NoData, SocketError.HostUnreachable,
            SocketError.NetworkUnreachable, SocketError.HostDown, SocketError.TimedOut, SocketError.AddressNotAvailable,
        };

        /// <summary>The socket (.NET) or WebException (.NET Framework) failure that kept a connection from opening, if that is what happened.</summary>
        internal static Exception? Of(Exception exception)
        {
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                if (e is SocketException socket && Array.IndexOf(ConnectErrors, socket.SocketErrorCode) >= 0) return e;
                if (e is WebException web && (web.Status == WebExceptionStatus.ConnectFailure || web.Status == WebExceptionStatus.NameResolutionFailure
                    || web.Status == WebExceptionStatus.ProxyNameResolutionFailure)) return e;
            }
            return null;
        }

        /// <summary>Whether no TLS session could be set up (the server's certificate refused, no common protocol): nothing was sent.</summary>
        internal static bool IsTlsFailure(Exception exception)
        {
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                if (e is AuthenticationException) return true;
            }
            return false;
        }
    }
}
