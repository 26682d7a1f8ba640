"""What every CSV export shares."""


def safe_cell(text):
    """A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading '."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
