"""The one table the bench prints: a row per figure (and per extra peer),
as plain text and as Markdown for bench/README.md."""
import statistics
from dataclasses import dataclass

HEADER = ("figure", "Socklab (GUI)", "Socklab CLI", "peer", "peer value", "ratio", "target",
          "met?")


@dataclass
class Row:
    figure: str
    gui: str = "-"
    cli: str = "-"
    peer: str = "-"
    peer_value: str = "-"
    ratio: str = "-"
    target: str = "-"
    met: str = "-"

    def cells(self):
        return (self.figure, self.gui, self.cli, self.peer, self.peer_value, self.ratio,
                self.target, self.met)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0, suffix=""):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}{suffix}"


def ratio(ours, theirs, digits=2):
    """ours / theirs as text ("-" when either is missing or theirs is 0)."""
    if ours is None or theirs is None or theirs == 0:
        return "-"
    return f"{ours / theirs:,.{digits}f}"


def met(ok):
    if ok is None:
        return "-"
    return "yes" if ok else "NO"


def render_text(rows):
    widths = [max(len(HEADER[i]), *(len(r.cells()[i]) for r in rows)) for i in range(len(HEADER))]
    line = " | ".join(h.ljust(w) for h, w in zip(HEADER, widths))
    out = [line, "-+-".join("-" * w for w in widths)]
    for r in rows:
        out.append(" | ".join(c.ljust(w) for c, w in zip(r.cells(), widths)))
    return "\n".join(out)


def render_markdown(rows):
    out = ["| " + " | ".join(HEADER) + " |",
           "| --- | ---: | ---: | --- | ---: | ---: | --- | --- |"]
    for r in rows:
        cells = [c.replace("|", "\\|") for c in r.cells()]
        if cells[0].startswith("  "):  # Markdown trims the indent of a sub-row
            cells[0] = "↳ " + cells[0].strip()
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)
