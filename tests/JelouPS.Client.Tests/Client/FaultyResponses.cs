using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Tests.Client
{
    /// <summary>How a scripted answer's body ends once its bytes are out.</summary>
    internal enum BodyEnding
    {
        End,
        /// <summary>The connection resets (an IOException, as a socket reset surfaces).</summary>
        Reset,
        /// <summary>The body never ends: reads wait until the reader gives up.</summary>
        Hang,
    }

    /// <summary>A response body that gives its bytes (then filler up to a size, without holding it) and ends as told.</summary>
    internal sealed class ScriptedBody : Stream
    {
        private readonly byte[] _head;
        private readonly long _size;
        private readonly BodyEnding _ending;
        private long _position;

        public ScriptedBody(byte[] head, BodyEnding ending = BodyEnding.End, long padTo = 0)
        {
            _head = head;
            _ending = ending;
            _size = Math.Max(head.Length, padTo);
        }

        public long Served => _position;

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_position < _size)
            {
                int n = (int)Math.Min(count, _size - _position);
                for (int i = 0; i < n; i++, _position++)
                {
                    buffer[offset + i] = _position < _head.Length ? _head[_position] : (byte)'x';
                }
                return n;
            }
            switch (_ending)
            {
                case BodyEnding.Reset:
                    throw new IOException("Connection reset by peer");
                case BodyEnding.Hang:
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                    return 0;
                default:
                    return 0;
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    internal static class Answers
    {
        public static HttpResponseMessage Json(HttpStatusCode status, string json, BodyEnding ending = BodyEnding.End, long padTo = 0, string contentType = "application/json") =>
            Bytes(status, Encoding.UTF8.GetBytes(json), ending, padTo, contentType);

        public static HttpResponseMessage Bytes(HttpStatusCode status, byte[] body, BodyEnding ending = BodyEnding.End, long padTo = 0, string contentType = "application/json")
        {
            var content = new StreamContent(new ScriptedBody(body, ending, padTo));
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return new HttpResponseMessage(status) { Content = content };
        }

        public static HttpResponseMessage Status(int status, TimeSpan? retryAfter = null, DateTimeOffset? retryAt = null)
        {
            HttpResponseMessage response = Json((HttpStatusCode)status, "{\"message\":\"try later\",\"status\":0}");
            if (retryAfter is TimeSpan delta) response.Headers.RetryAfter = new RetryConditionHeaderValue(delta);
            if (retryAt is DateTimeOffset date) response.Headers.RetryAfter = new RetryConditionHeaderValue(date);
            return response;
        }

        /// <summary>An enveloped create answer carrying <paramref name="secret"/>.</summary>
        public static string Created(string projectId, string secret, string webhookUrl = "https://crm.example.com/jelou") =>
            "{\"message\":[\"Created\"],\"statusMessage\":\"success\",\"status\":1,\"data\":{\"id\":\"64f0c0ffee0000000000beef\",\"brainId\":\"" + projectId +
            "\",\"webhookUrl\":\"" + webhookUrl + "\",\"authType\":\"bearer\",\"signingSecret\":\"" + secret + "\",\"createdAt\":\"2026-11-29T10:00:00.000Z\"}}";
    }
}
