from django.core.management.base import BaseCommand

from lti.keys import tool_key_rotate


class Command(BaseCommand):
    help = "Make a new signing key for LMS integration; the previous one stays published for a week."

    def handle(self, *args, **options):
        key = tool_key_rotate()
        self.stdout.write(self.style.SUCCESS(f"New active key {key.kid}. Platforms pick it up from /lti/jwks/."))
