using System.Security;

namespace JelouPS.Security
{
    /// <summary>
    /// A secret the session holds, which an error answer to a call that did not carry it may quote (see
    /// JelouClientOptions.HeldSecrets). <see cref="WholeOnly"/>: looked for whole, in every form, but not by its parts
    /// (<see cref="SecretRedaction.ShortestPart"/>): a webhook credential, which a server quotes whole (a delivery's URL or
    /// header) and which, hand-picked, may share a word with any text.
    /// </summary>
    internal readonly struct HeldSecret
    {
        internal HeldSecret(SecureString secret, bool wholeOnly = false)
        {
            Secret = secret;
            WholeOnly = wholeOnly;
        }

        internal SecureString Secret { get; }

        internal bool WholeOnly { get; }

        public static implicit operator HeldSecret(SecureString secret) => new HeldSecret(secret);
    }
}
