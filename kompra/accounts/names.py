"""Short names (nama panggilan) from full names as Indonesian teachers write them.

A full name carries titles around the name: academic degrees (Drs., Dra., Dr., Prof.,
Ir., S.Pd., M.Pd., S.Pd.I, Gr.), religious and honorific ones (H., Hj., KH., Ust.,
R., Bapak, Ibu). Degrees after the name follow a comma or are abbreviations; the
greeting needs only the first word of the name itself, so what follows it is never
read. Before it, titles, initials and abbreviations are passed over, and so are a
leading Muhammad (M., Moh., Muh.: people are rarely called by it) and the Balinese
I and Ni (Wayan, Made, Nyoman, Ketut are what people are called).
"""

# Titles written before a name, compared without dots and case.
PREFIX_TITLES = frozenset(
    {
        "bapak",
        "bpk",
        "bu",
        "dr",
        "dra",
        "drg",
        "drs",
        "haji",
        "hajjah",
        "hj",
        "ibu",
        "ir",
        "kh",
        "ny",
        "pak",
        "prof",
        "ra",
        "raden",
        "rm",
        "rr",
        "sdr",
        "sdri",
        "tn",
        "ust",
        "ustadz",
        "ustadzah",
        "ustaz",
        "ustazah",
    }
)
# First words that are seldom what a person is called, when more of the name follows.
PASSED_OVER = frozenset(
    {
        "i",
        "ni",
        "muhammad",
        "muhamad",
        "mohammad",
        "mohamad",
        "mochammad",
        "mochamad",
        "muchammad",
        "mhd",
        "moh",
        "muh",
    }
)


def short_name_from(full_name):
    """The word of `full_name` a colleague would greet them by; "" if it holds only titles."""
    words = (full_name or "").split(",", 1)[0].split()
    # Titles and abbreviations ("Dra.", "H.", "Hj", "Moh.") before the name.
    while words and (_is_title(words[0]) or "." in words[0]):
        words.pop(0)
    while len(words) > 1 and (len(words[0]) == 1 or words[0].lower() in PASSED_OVER):
        words.pop(0)
    if not words:
        return ""
    word = words[0]
    # Names copied from school records are often in capitals (or typed in lower case).
    return word.capitalize() if word.isupper() or word.islower() else word


def _is_title(word):
    return word.replace(".", "").lower() in PREFIX_TITLES
