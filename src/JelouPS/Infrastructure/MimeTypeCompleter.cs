using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Tab completion of Send-JelouSupportMessage -MimeType: the type of the -MediaUrl file's extension first, then the common
    /// types of the -MediaType given (all of them without one). Only suggestions: any type is sent as given.
    /// </summary>
    public sealed class MimeTypeCompleter : IArgumentCompleter
    {
        // Extension, MIME type and the media type it belongs to, most used first within each media type.
        private static readonly (string Extension, string MimeType, string MediaType)[] Known =
        {
            (".jpg", "image/jpeg", SupportMessage.ImageType), (".jpeg", "image/jpeg", SupportMessage.ImageType),
            (".png", "image/png", SupportMessage.ImageType), (".webp", "image/webp", SupportMessage.ImageType), (".gif", "image/gif", SupportMessage.ImageType),
            (".mp4", "video/mp4", SupportMessage.VideoType), (".3gp", "video/3gpp", SupportMessage.VideoType), (".mov", "video/quicktime", SupportMessage.VideoType),
            (".mp3", "audio/mpeg", SupportMessage.AudioType), (".ogg", "audio/ogg", SupportMessage.AudioType), (".opus", "audio/ogg", SupportMessage.AudioType),
            (".aac", "audio/aac", SupportMessage.AudioType), (".m4a", "audio/mp4", SupportMessage.AudioType), (".amr", "audio/amr", SupportMessage.AudioType),
            (".wav", "audio/wav", SupportMessage.AudioType),
            (".pdf", "application/pdf", SupportMessage.DocumentType), (".txt", "text/plain", SupportMessage.DocumentType), (".csv", "text/csv", SupportMessage.DocumentType),
            (".doc", "application/msword", SupportMessage.DocumentType),
            (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", SupportMessage.DocumentType),
            (".xls", "application/vnd.ms-excel", SupportMessage.DocumentType),
            (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", SupportMessage.DocumentType),
            (".ppt", "application/vnd.ms-powerpoint", SupportMessage.DocumentType),
            (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", SupportMessage.DocumentType),
            (".zip", "application/zip", SupportMessage.DocumentType),
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? "").Trim('\'', '"');
            string? mediaType = (fakeBoundParameters?["MediaType"] as string)?.Trim();
            string? extension = Extension(fakeBoundParameters?["MediaUrl"]);
            return Known
                .Where(known => mediaType is null || known.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase) || known.Extension == extension)
                .OrderBy(known => known.Extension == extension ? 0 : 1)
                .Select(known => known.MimeType)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(mime => mime.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(mime => new CompletionResult(mime, mime, CompletionResultType.ParameterValue, mime));
        }

        // The lower-case extension of the URL's path ("https://cdn.example.com/a.PDF?x=1" gives ".pdf"); null without one.
        private static string? Extension(object? url)
        {
            string? text = (url is PSObject wrapped ? wrapped.BaseObject : url)?.ToString();
            if (text is null || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri)) return null;
            string extension = Path.GetExtension(uri.AbsolutePath);
            return extension.Length > 1 ? extension.ToLowerInvariant() : null;
        }
    }
}
