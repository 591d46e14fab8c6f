namespace JelouPS.Security
{
    /// <summary>Lowercase hex in char arrays, which a caller can wipe (a secret's bytes) or make a string of (a signature).</summary>
    internal static class Hex
    {
        private const string Digits = "0123456789abcdef";

        /// <summary>Writes the lowercase hex of the first <paramref name="count"/> bytes into <paramref name="into"/> at <paramref name="at"/>.</summary>
        internal static void Write(byte[] bytes, int count, char[] into, int at)
        {
            for (int i = 0; i < count; i++)
            {
                into[at + 2 * i] = Digits[bytes[i] >> 4];
                into[at + 2 * i + 1] = Digits[bytes[i] & 0xF];
            }
        }

        /// <summary>The value of a hex digit of either case; -1 for any other character.</summary>
        internal static int Value(char c) =>
            c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
