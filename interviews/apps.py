from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interviews"
    verbose_name = "Interviews"

    def ready(self):
        import redirects

        # A changed slug leaves a redirect from the old address (docs/redirects.md).
        for name in ("Interview", "Leader", "Series", "Question", "Platform", "Theme"):
            redirects.track(self.get_model(name))

        # The menu leaves out a section readers would find empty.
        from socialleaders import sections

        from . import selectors

        names = ("Interview", "Answer", "Quote", "InterviewPlatform", "ThemedInterview")
        models = [self.get_model(name) for name in names]
        for name, contents in selectors.SECTION_CONTENTS.items():
            sections.register(name, contents, models)
