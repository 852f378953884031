"""Named places on a page where a later app adds its part.

Apps depend one way (README, "What is inside"): `activities` never imports
`publishing`, yet an activity page offers "Publish". So the page names a slot,
`{% slot "activity.actions" %}`, and publishing registers the template that fills it
from its AppConfig.ready(). The template renders with the page's own context.

Slots in use (the page that renders each, and what its context holds):
- "community.overview": the community overview, below the aims (community, access, focus)
- "problem.more": a problem's page, below the comments (community, access, problem)
- "activity.actions": an activity's buttons (community, access, activity)
- "activity.after": the end of an activity's page (community, access, activity)
- "product.actions": a product's buttons (community, access, product)
- "reflection.actions": a reflection's buttons (community, access, reflection)
- "stage_change.after": each stage change in the stage history (community, access, change)
- "directory.search": the directory of communities, below its filters (page, user)
- "school.dashboard": a school's dashboard, below its header (school, read_only, user)
"""

from collections import defaultdict

_SLOTS: dict[str, list[tuple[int, str]]] = defaultdict(list)


def register(slot, template_name, *, order=100):
    """Fills `slot` with `template_name` (lower `order` first). Registering the same
    template twice is a no-op, so a reloaded AppConfig does not repeat it."""
    entries = _SLOTS[slot]
    if all(name != template_name for _, name in entries):
        entries.append((order, template_name))
        entries.sort()


def templates_for(slot):
    return [name for _, name in _SLOTS.get(slot, ())]
