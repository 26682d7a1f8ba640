"""The seed importer against the publication's real exports (../shared/seeds).

Facts asserted here were checked by reading the seed files themselves (line numbers are the
files' own); they are not copied from what the parser produced.
"""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from blog.models import Author, Post
from comments.models import Comment
from importing.base import split_blocks, split_lines
from importing.parsing import parse_file
from importing.posts import find_titles
from interviews.models import (
    Answer,
    Interview,
    InterviewPlatform,
    Leader,
    Platform,
    Question,
    Quote,
    Series,
    SocialAccount,
)
from socialleaders.publishing import Status

pytestmark = pytest.mark.django_db

SERIES = "000_*.txt"
POSTS = "001_*.txt"
COMMENTS = "002_*.txt"

# Read from file 000: the interviews, newest first, and the number of questions each answers.
LEADERS_NEWEST_FIRST = [
    ("Simon Blake", 6),
    ("Asif Choudry", 6),
    ("Jo Swinson", 6),
    ("Phil Jones", 6),
    ("Rebecca Jeffery", 5),  # skips "How engaged do you find the rest of your organisation…?"
    ("Peter Cheese", 6),
    ("Tom Riordan", 6),
]
QUESTION_ORDER = ["platforms", "benefits", "engagement", "downsides", "connecting", "advice"]
# Read from file 001: the ten post titles, in file order.
POST_TITLES = [
    "Making a Deal: Unlocking Potential In Communities",
    "Do We Need A Manifesto for Social Change?",
    "Digital by Design: Making the connected organisation more human",
    "Lessons In Social Business (via Vietnam)",
    "3 Things We Should Learn From Benefits Street",
    "The Value of Critical Friends – Guest Post from @ShirleyAyres",
    "How social helps us cross organisational borders",
    "Don’t Listen To Your Sector: Be More Weird",
    "The Unexpected Benefits Of Becoming A Social Organisation",
    "Your Own Personal Social Media Policy: 10 Top Tips",
]
# Read from file 004.
COUNCILLOR_TITLES = [
    "Cllrs and Twitter (Some Alternative Case Studies)",
    "So what is a blog? (Steve Tuck explains in two minutes)",
    "The Internet and Social Media Explained (in 2 minutes)",
    "Cllr Mike Jordan Talks Cllrsocmed",
    "Cllr Tim Cheetham Talks Cllrsocmed",
    "Cllrs – Why Bother?",
    "On-Line Councillor of the Year",
]


def seed(seeds_dir, pattern):
    (path,) = sorted(seeds_dir.glob(pattern))
    return path


def run_import(*paths, dry_run=False):
    out = StringIO()
    args = [str(p) for p in paths] + (["--dry-run"] if dry_run else [])
    call_command("import_content", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(seeds_dir):
    """All the seed files imported once; returns the command's output."""
    return run_import(*sorted(seeds_dir.glob("*.txt")))


def table_counts():
    models = [Series, Question, Platform, Leader, SocialAccount, Interview, Answer]
    models += [InterviewPlatform, Quote, Author, Post, Comment]
    return {m.__name__: m.objects.count() for m in models}


# The interview series


def test_one_published_interview_per_leader_in_series_order(imported):
    series = Series.objects.get()
    assert series.title == "#SocialLeaders series"
    interviews = list(Interview.objects.filter(series=series).order_by("series_order"))
    # The file lists the newest first: Tom Riordan's was the first interview, Simon Blake's the
    # last ("Our final social leader in this series is Simon Blake OBE").
    assert [i.leader.name for i in interviews] == [n for n, _ in reversed(LEADERS_NEWEST_FIRST)]
    assert [i.series_order for i in interviews] == list(range(1, 8))
    assert all(i.status == Status.PUBLISHED for i in interviews)
    assert Interview.objects.published().count() == 7
    # Publish dates keep the file's order: newest first.
    newest_first = list(Interview.objects.order_by("-publish_at"))
    assert [i.leader.name for i in newest_first] == [n for n, _ in LEADERS_NEWEST_FIRST]


def test_answers_in_order_mapped_to_six_canonical_questions(imported):
    questions = list(Question.objects.order_by("order"))
    assert [q.slug for q in questions] == QUESTION_ORDER
    # The canonical wording is the one most interviews use.
    assert questions[0].text == "What are your social media platforms of choice and why?"
    assert questions[4].text == (
        "How have you used social media to connect with customers/service users/key stakeholders?"
    )
    for name, count in LEADERS_NEWEST_FIRST:
        interview = Interview.objects.get(leader__name=name)
        answers = list(interview.answers.order_by("order"))
        assert len(answers) == count, name
        slugs = [a.question.slug for a in answers]
        expected = [
            s for s in QUESTION_ORDER if not (name == "Rebecca Jeffery" and s == "engagement")
        ]
        assert slugs == expected, name


def test_wording_as_asked_is_kept(imported):
    tom = Answer.objects.get(interview__leader__name="Tom Riordan", question__slug="platforms")
    assert tom.asked_as == "What is your social media platform of choice and why?"
    jo = Answer.objects.get(interview__leader__name="Jo Swinson", question__slug="downsides")
    assert jo.asked_as == "What, if any, downsides do you see to being a leader on social media?"
    simon = Answer.objects.get(interview__leader__name="Simon Blake", question__slug="connecting")
    assert simon.asked_as == "How have you used social media to connect with your key stakeholders?"
    asif = Answer.objects.get(interview__leader__name="Asif Choudry", question__slug="connecting")
    assert asif.asked_as == "How have you used social media to connect with customers?"
    assert asif.question.text != asif.asked_as


def test_answer_text_and_rebeccas_skipped_question(imported):
    rebecca = Interview.objects.get(leader__name="Rebecca Jeffery")
    assert not rebecca.answers.filter(question__slug="engagement").exists()
    # Asif's advice answer has four paragraphs, the last one ending "JFDI: that’s the one."
    advice = Answer.objects.get(interview__leader__name="Asif Choudry", question__slug="advice")
    assert advice.body.count("\n\n") == 3
    assert advice.body.endswith("JFDI: that’s the one.")
    assert advice.body_html.count("<p>") == 4


def test_closing_words_are_not_in_the_last_answer(imported):
    jo = Interview.objects.get(leader__name="Jo Swinson")
    last = jo.answers.order_by("order").last()
    assert "Huge thanks to Jo" not in last.body
    assert jo.closing.startswith("Huge thanks to Jo for her really interesting reflections")
    phil = Interview.objects.get(leader__name="Phil Jones")
    assert "shameless plug" in phil.closing
    assert "shameless plug" not in phil.answers.get(question__slug="advice").body
    simon = Interview.objects.get(leader__name="Simon Blake")
    assert simon.closing.startswith("That is the final instalment")
    assert simon.answers.get(question__slug="advice").body.endswith("and that’s okay.")


def test_bullet_and_numbered_lists_stay_lists(imported):
    phil = Interview.objects.get(leader__name="Phil Jones")
    benefits = phil.answers.get(question__slug="benefits")
    # "In many ways." then four "  • " bullets (lines 200-205).
    assert benefits.body_html.count("<li>") == 4
    assert "<ul>" in benefits.body_html
    advice = phil.answers.get(question__slug="advice")
    # Five numbered points, "  1. Choose the appropriate platform…" to "  5. It’s not all about…"
    assert advice.body_html.count("<li>") == 5
    assert "<ol>" in advice.body_html
    assert "Choose the appropriate platform and get started." in advice.body_html


def test_platforms_and_favourites(imported):
    def named(leader):
        uses = InterviewPlatform.objects.filter(interview__leader__name=leader)
        return {u.platform.name for u in uses}, {u.platform.name for u in uses if u.is_favourite}

    # Tom Riordan only ever names Twitter: "Twitter is my platform of choice."
    assert named("Tom Riordan") == ({"Twitter"}, {"Twitter"})
    # Jo Swinson: "Undoubtedly Twitter is my favourite…", also Facebook, LinkedIn, Instagram.
    assert named("Jo Swinson") == ({"Twitter", "Facebook", "LinkedIn", "Instagram"}, {"Twitter"})
    # Phil Jones writes "Linkedin" (lower-case i) and uses Twitter "primarily".
    platforms, favourite = named("Phil Jones")
    assert {"Twitter", "LinkedIn", "Facebook"} <= platforms
    assert favourite == {"Twitter"}
    # Peter Cheese's "Yammer-like internal social media platform" is not Yammer.
    assert "Yammer" not in named("Peter Cheese")[0]
    for interview in Interview.objects.all():
        assert interview.platform_uses.filter(is_favourite=True).count() == 1


def test_leader_details_from_the_introductions(imported):
    simon = Leader.objects.get(name="Simon Blake")
    assert simon.honours == "OBE"  # "Simon Blake OBE"
    assert simon.role == "Chief Executive"
    assert simon.organisation == "National Union of Students"
    phil = Leader.objects.get(name="Phil Jones")
    assert phil.honours == "MBE"
    assert phil.website == "https://branded.me/philjones"
    handles = {a.handle for a in SocialAccount.objects.filter(platform__slug="twitter")}
    # "@joswinson", "@PhilJones40", "@Cheese_Peter" in the introductions.
    assert handles == {"@joswinson", "@PhilJones40", "@Cheese_Peter"}
    assert Leader.objects.get(name="Tom Riordan").organisation == "Leeds City Council"
    # Nothing in the export says what Rebecca Jeffery's role is: left blank, not invented.
    assert Leader.objects.get(name="Rebecca Jeffery").role == ""


def test_captions_and_video_mentions(imported):
    peter = Interview.objects.get(leader__name="Peter Cheese")
    # "Photo: Peter Cheese, Chief Executive of the CIPDThis is the second blog…"
    assert peter.image_alt == "Peter Cheese, Chief Executive of the CIPD"
    assert peter.introduction.startswith("This is the second blog in our Social Leaders series")
    assert "Photo:" not in peter.introduction
    rebecca = Interview.objects.get(leader__name="Rebecca Jeffery")
    assert rebecca.introduction.startswith("We hope you have been enjoying")
    # "You can watch the video here:" / "Watch Rebecca talking…" / "…below the video"
    assert peter.video_mentioned and rebecca.video_mentioned
    assert Interview.objects.get(leader__name="Simon Blake").video_mentioned
    # Tom Riordan's and Phil Jones's introductions mention no video.
    assert not Interview.objects.get(leader__name="Tom Riordan").video_mentioned
    assert not Interview.objects.get(leader__name="Phil Jones").video_mentioned


def test_pull_quotes_attributed_and_linked(imported):
    quotes = {q.leader.name: q for q in Quote.objects.select_related("answer__question")}
    assert set(quotes) == {"Simon Blake", "Asif Choudry", "Rebecca Jeffery", "Peter Cheese"}
    for name, quote in quotes.items():
        assert quote.interview.leader.name == name
    # "It makes you human" is in Simon's benefits answer ("I think it makes you human…").
    assert quotes["Simon Blake"].text == "It makes you human"
    assert quotes["Simon Blake"].answer.question.slug == "benefits"
    assert quotes["Asif Choudry"].answer.question.slug == "advice"  # "My last point is “JFDI”."
    # Rebecca's quote paraphrases her advice: "pick the social media that suits your personality
    # and enjoy using it".
    assert quotes["Rebecca Jeffery"].answer.question.slug == "advice"
    # Peter: "they are fantastic learning channels for me personally … wonderful learning
    # opportunities" is in his benefits answer.
    assert quotes["Peter Cheese"].answer.question.slug == "benefits"
    # The pull quote lines are not left in the summary text.
    series = Series.objects.get()
    assert "JFDI - Asif Choudry" not in series.summary
    assert series.summary.startswith("We have spent the last few months talking to leaders")
    assert series.introduction.startswith("The time for social leadership is now.")


# Blog posts


def test_every_post_with_title_and_author(imported):
    titles = list(Post.objects.order_by("-publish_at").values_list("title", flat=True))
    expected = (
        POST_TITLES
        + ["Shift happens", "Progress against the social media friendly principles"]
        + COUNCILLOR_TITLES
    )
    assert titles == expected
    assert Post.objects.published().count() == len(expected)
    guest = Post.objects.get(title=POST_TITLES[5]).author
    assert guest.name == "Shirley Ayres" and guest.is_guest
    # The author of file 001 is not named anywhere in it: the house author, reported.
    house = Post.objects.get(title=POST_TITLES[0]).author
    assert house.name == "Social Leaders editors"
    assert not house.is_guest
    phil = Author.objects.get(name="Phil Jewitt")
    assert phil.bio.startswith("Comms guy and meaning maker")
    assert "This entry was posted" not in phil.bio
    assert list(phil.posts.values_list("title", flat=True)) == ["Shift happens"]


def test_post_bodies_keep_structure(imported):
    deal = Post.objects.get(title=POST_TITLES[0])
    # The Margaret J Wheatley epigraph (lines 3-9) is a block quote, the bullets (33-35) a list.
    assert deal.body_html.startswith("<blockquote>")
    assert "Margaret J Wheatley" in deal.body_html
    assert deal.body_html.count("<li>") == 3
    unexpected = Post.objects.get(title=POST_TITLES[8])
    # Five sub-headings under "Here’s my pick – 5 things we could never have predicted:".
    assert unexpected.body_html.count("<h2>") == 5
    assert "<h2>Your Brand Can Go Global</h2>" in unexpected.body_html
    policy = Post.objects.get(title=POST_TITLES[9])
    assert policy.body_html.count("<h2>") == 10  # "1: Have a clear strategy…" to "10: Wash…"
    # Footer and screenshots are not in any body.
    for post in Post.objects.all():
        assert "other followers" not in post.body
        assert "Screenshot 20" not in post.body
        assert "Leave a Reply" not in post.body
    # "What f*****g work programme?" must not turn into emphasis.
    benefits = Post.objects.get(title=POST_TITLES[4])
    assert "f*****g" in benefits.body_html
    related = Post.objects.get(title=COUNCILLOR_TITLES[1])
    assert related.body_html.count("<li>") == 7  # the "Related posts:" list


def test_titles_found_without_non_breaking_spaces(seeds_dir):
    """The structural rules alone find the same ten titles in 001 (the nbsp signal removed)."""
    text = seed(seeds_dir, POSTS).read_text(encoding="utf-8").replace("\xa0", " ")
    blocks = split_blocks(split_lines(text))
    titles = [blocks[i].text for i in find_titles(blocks)]
    assert titles == POST_TITLES


def test_comments_replies_and_pingbacks(imported):
    post = Post.objects.get(title="Shift happens")
    comments = list(post.comments.filter(kind="comment", parent=None).order_by("created_at"))
    assert len(comments) == 4
    assert comments[0].body.startswith("I would be interested to know how your response time")
    # Comment 1 has a second paragraph ("I would like to see the shared guidelines…").
    assert comments[0].body.endswith("I would like to see the shared guidelines you speak of too.")
    assert comments[0].body.count("\n\n") == 1
    assert comments[3].body.startswith("That sounds like a very good mix, Phil.")
    replies = list(post.comments.filter(parent__isnull=False).order_by("created_at"))
    assert len(replies) == 3
    assert [r.parent_id for r in replies] == [c.pk for c in comments[:3]]
    assert all(r.by_post_author and r.name == "Phil Jewitt" for r in replies)
    assert replies[0].body.startswith("Thanks for your response and interest Albert.")
    assert replies[2].body.count("\n\n") == 3  # four paragraphs
    pingbacks = list(post.comments.filter(kind="pingback").order_by("created_at"))
    assert len(pingbacks) == 3
    assert all(p.parent_id is None for p in pingbacks)
    assert pingbacks[1].body == "The first born, the last post and seven smiles | weeklyblogclub"
    assert all(c.status == Comment.Status.APPROVED for c in post.comments.all())
    # Commenters' names are not in the export.
    assert {c.name for c in comments} == {"A reader"}
    assert "Leave a Reply" not in "".join(c.body for c in post.comments.all())


# The command itself


def test_report_lists_what_was_left_out_or_guessed(imported):
    report = imported.split("Report:", 1)[1]
    assert re.search(r"001_\w+\.txt: author not named in 001_\w+\.txt", report)
    assert "Social Leaders editors" in report
    assert "commenter's name not in the export" in report
    assert "“Albert”" in report  # Phil's reply addresses the first commenter by name
    assert "video mentioned" in report and "address is not in the export" in report
    assert "“Join 6,881 other followers”" in report
    assert "Screenshot 2014-02-13 13.34.37" in report
    assert "Peter Cheese, Chief Executive of the CIPD" in report
    assert "publish dates are not in the export" in report
    assert "Interviews imported:" in imported and "  - Shift happens" in imported


def test_second_run_creates_nothing(seeds_dir, imported):
    before = table_counts()
    out = run_import(*sorted(seeds_dir.glob("*.txt")))
    assert table_counts() == before
    assert "posts: 0 created, 19 already present" in out


def test_dry_run_writes_nothing_and_prints_counts_and_titles(seeds_dir):
    before = table_counts()
    out = run_import(*sorted(seeds_dir.glob("*.txt")), dry_run=True)
    assert table_counts() == before
    assert "Dry run: nothing was written" in out
    assert "interviews: 7 to create" in out
    assert "posts: 19 to create" in out
    assert "  - #SocialLeaders series: Jo Swinson" in out
    assert f"  - {POST_TITLES[5]}" in out


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            "#SocialLeaders series: Ann Example\n\nIntro.\n\n"
            "What are your social media platforms of choice and why?\n\n"
            "Twitter.\n\nWhat advice would you give to other leaders?\n",
            9,
            "has no answer",
        ),
        ("#SocialLeaders series: Ann Example\n\nOnly an introduction.\n", 1, "has no questions"),
        ("   \n\n", None, "is empty"),
    ],
)
def test_broken_file_changes_nothing(seeds_dir, tmp_path, content, line, message):
    broken = tmp_path / "broken.txt"
    broken.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        # Good files first: none of their content may be written either.
        run_import(seed(seeds_dir, POSTS), seed(seeds_dir, COMMENTS), broken)
    text = str(exc.value)
    assert "broken.txt" in text and message in text
    if line:
        assert f"line {line}" in text
    assert Post.objects.count() == 0 and Author.objects.count() == 0
    assert Interview.objects.count() == 0 and Comment.objects.count() == 0


def test_failure_while_writing_rolls_everything_back(seeds_dir, monkeypatch):
    """The series is written before the posts; a database error on a comment undoes it all."""
    from django.db import IntegrityError

    from importing import writer

    def refuse(*args, **kwargs):
        raise IntegrityError("refused for the test")

    monkeypatch.setattr(writer, "_comment", refuse)
    with pytest.raises(CommandError, match="Nothing was imported"):
        run_import(seed(seeds_dir, SERIES), seed(seeds_dir, COMMENTS))
    assert Interview.objects.count() == 0 and Leader.objects.count() == 0
    assert Post.objects.count() == 0


def test_undecodable_file_names_line(seeds_dir, tmp_path):
    broken = tmp_path / "latin1.txt"
    broken.write_bytes("A title\n\nFirst line\nCaf\xe9 au lait\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin1\.txt, line 4: is not UTF-8"):
        run_import(seed(seeds_dir, SERIES), broken)
    assert Interview.objects.count() == 0 and Series.objects.count() == 0


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "nope.txt")


def test_parsers_detect_each_file_kind(seeds_dir):
    kinds = {p.name[:3]: parse_file(p).kind for p in sorted(seeds_dir.glob("*.txt"))}
    assert kinds == {
        "000": "series",
        "001": "posts",
        "002": "post-with-comments",
        "003": "posts",
        "004": "posts",
    }


# The summary's findings, read from file 000 (lines 15-37): each "Social leaders …" paragraph and
# the leaders it names (full name, or "Asif" alone), with the pull quotes printed under it.
FINDINGS = {
    "Show their personality": {"Simon Blake"},
    "Fit it in": {"Peter Cheese", "Asif Choudry"},
    "Value the direct connections": {"Tom Riordan"},
    "Pick their platforms": {"Rebecca Jeffery"},
    "Don’t worry too much about the potential negatives": set(),
    "Use social media as learning for themselves": {"Phil Jones", "Peter Cheese"},
    "Do it for themselves": {"Asif Choudry"},
}


def test_summary_findings_become_themes_on_the_leaders_interviews(imported):
    from interviews.models import Theme

    themes = {t.name: t for t in Theme.objects.all()}
    assert set(themes) == set(FINDINGS)
    for name, leaders in FINDINGS.items():
        tagged = Interview.objects.filter(themes=themes[name]).values_list(
            "leader__name", flat=True
        )
        assert set(tagged) == leaders, name
    assert themes["Fit it in"].description.startswith("Social leaders understand how to fit it in")
    assert "breakfast tweeters" in themes["Fit it in"].description
    assert "themes: 7 created" in imported
    assert "themed interviews: 8 created" in imported
    report = imported.split("Report:", 1)[1]
    assert "“Don’t worry too much about the potential negatives” names no leader" in report


def test_second_run_adds_no_theme_and_keeps_editors_changes(seeds_dir, imported):
    from interviews.models import Theme

    theme = Theme.objects.get(name="Fit it in")
    theme.description = "Edited by an editor."
    theme.save()
    Interview.objects.get(leader__name="Peter Cheese").themes.remove(theme)
    out = run_import(*sorted(seeds_dir.glob("*.txt")))
    assert Theme.objects.count() == 7
    theme.refresh_from_db()
    assert theme.description == "Edited by an editor."
    assert not Interview.objects.filter(leader__name="Peter Cheese", themes=theme).exists()
    assert "themes: 0 created, 7 already present" in out
