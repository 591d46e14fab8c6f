using System.Net;
using System.Net.Http;

namespace JelouPS.Http
{
    /// <summary>The handler a connection (or a webhook tester) sends through, for its proxy settings.</summary>
    internal static class HandlerFactory
    {
        /// <param name="proxy">The proxy settings.</param>
        /// <param name="skipCertificateCheck">Accept any server certificate: only for trying a receiver with a self-signed one.</param>
        internal static HttpMessageHandler Create(ProxySettings proxy, bool skipCertificateCheck = false)
        {
            var handler = new HttpClientHandler
            {
                // A redirect would carry x-api-key to wherever it points; .NET strips only Authorization.
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            };
            if (skipCertificateCheck) handler.ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => true;
            proxy.Configure(handler);
            return new ProxyErrorHandler(proxy, handler);
        }
    }
}
