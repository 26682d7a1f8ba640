"""Import the publication's real content into the live server's database."""

from django.core.management import call_command


def import_seeds(seeds_dir):
    files = sorted(str(p) for p in seeds_dir.glob("*.txt"))
    call_command("import_content", *files, verbosity=0)
