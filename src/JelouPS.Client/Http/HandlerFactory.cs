using System.Net;
using System.Net.Http;

namespace JelouPS.Http
{
    /// <summary>The handler a connection (or a webhook tester) sends through, for its proxy settings.</summary>
    internal static class HandlerFactory
    {
        internal static HttpMessageHandler Create(ProxySettings proxy)
        {
            var handler = new HttpClientHandler
            {
                // A redirect would carry x-api-key to wherever it points; .NET strips only Authorization.
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            };
            proxy.Configure(handler);
            return new ProxyErrorHandler(proxy, handler);
        }
    }
}
