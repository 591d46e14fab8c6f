using System;
using System.Net;

namespace JelouPS.Http
{
    /// <summary>A buffered answer from Jelou: status, body bytes and the headers the client uses.</summary>
    internal sealed class ApiResponse
    {
        internal ApiResponse(JelouOperation operation, HttpStatusCode statusCode, string? reasonPhrase, byte[] body, string? contentType, string? requestId, TimeSpan? retryAfter)
        {
            Operation = operation;
            StatusCode = statusCode;
            ReasonPhrase = reasonPhrase;
            Body = body;
            ContentType = contentType;
            RequestId = requestId;
            RetryAfter = retryAfter;
        }

        /// <summary>The call this answers, for errors about its body.</summary>
        public JelouOperation Operation { get; }
        public HttpStatusCode StatusCode { get; }
        public string? ReasonPhrase { get; }
        public byte[] Body { get; }
        public string? ContentType { get; }
        public string? RequestId { get; }
        public TimeSpan? RetryAfter { get; }

        public bool IsSuccess => (int)StatusCode >= 200 && (int)StatusCode <= 299;

        /// <summary>"404 (Not Found)": for messages.</summary>
        public string StatusText => ReasonPhrase is null ? ((int)StatusCode).ToString() : $"{(int)StatusCode} ({ReasonPhrase})";

        /// <summary>Wipes the body: answers to create and regenerate carry the signing secret.</summary>
        public void ClearBody() => Array.Clear(Body, 0, Body.Length);
    }
}
