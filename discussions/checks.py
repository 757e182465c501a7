"""System checks for what the discussion needs from the machine it runs on."""

from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register()
def share_card_fonts(app_configs, **kwargs):
    """Say when a font the share cards are drawn with (settings.SHARE_CARD_FONTS) is missing.

    Without the first choice, Korean cards lose their Hangul; under
    production settings (SHARE_CARD_FONTS_REQUIRED) that is an error. A
    missing fallback only costs the odd symbol.
    """
    problems = []
    for style, paths in settings.SHARE_CARD_FONTS.items():
        for place, path in enumerate(paths):
            if Path(path).is_file():
                continue
            first = place == 0
            level = checks.Error if first and settings.SHARE_CARD_FONTS_REQUIRED else checks.Warning
            problems.append(
                level(
                    f"The {style} share card font {path} is missing.",
                    hint="Install Debian's fonts-nanum (and fonts-dejavu-core), "
                    "or name other font files in SHARE_CARD_FONTS.",
                    id="discussions.E001" if level is checks.Error else "discussions.W001",
                )
            )
    return problems
