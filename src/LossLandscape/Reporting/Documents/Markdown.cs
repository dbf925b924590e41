using System.Text;
using System.Text.RegularExpressions;

namespace LossLandscape.Reporting.Documents;

/// <summary>Escaping for GitHub Markdown: text stays text, whatever characters it holds.</summary>
static class Markdown
{
    // CommonMark lets a backslash escape any ASCII punctuation; these are the ones that would start markup
    // (emphasis, code, links, inline HTML, tables) in running text.
    const string Special = "\\`*_[]<>|&";

    /// <summary>Text for a paragraph, list item or table cell: markup characters escaped, line breaks turned into spaces.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 8);
        foreach (var ch in text)
        {
            if (ch is '\r' or '\n') sb.Append(' ');
            else if (Special.Contains(ch)) sb.Append('\\').Append(ch);
            else sb.Append(ch);
        }
        // What would turn a paragraph into a heading, list item or rule at the start of a line.
        var s = sb.ToString().TrimStart();
        var block = BlockStart.Match(s);
        if (!block.Success) return s;
        int at = block.Index + block.Length;
        return s[..at] + "\\" + s[at..];
    }

    static readonly Regex BlockStart = new(@"^(?:(?=#{1,6}(?:\s|$))|(?=[-+](?:\s|$))|(?=[-=]+\s*$))|^\d{1,9}(?=[.)](?:\s|$))", RegexOptions.CultureInvariant);

    /// <summary>One pipe-table row; '|' inside cells is escaped so it never splits a cell.</summary>
    public static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells) + " |";

    /// <summary>A fenced code block whose fence is longer than any run of backticks inside it.</summary>
    public static string CodeBlock(IEnumerable<string> lines, string language)
    {
        var body = string.Join("\n", lines);
        int longest = 0, run = 0;
        foreach (var ch in body)
        {
            run = ch == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', Math.Max(3, longest + 1));
        return $"{fence}{language}\n{body}\n{fence}\n";
    }

    /// <summary>A relative link target: forward slashes, each segment percent-encoded (spaces and parentheses included).</summary>
    public static string LinkTarget(string relativePath) =>
        string.Join('/', relativePath.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString));
}
