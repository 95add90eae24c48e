"""A deterministic demo region: Khabarovsk-like municipalities, schools, mentors and pairs, 2020–2022.

`load_demo` plans the whole region first (pure Python, driven by `random.Random(seed)` only), then
sends every fact through `Registry.execute` in the order of its effective date, as the institute's
admin and each organization's curator would. The planner keeps every domain rule itself (mentor in
the registry and within capacity, one active pair per form for a mentee, dates in order and never
in the future), so the registry refuses nothing; if it ever does, loading stops with the reason.

The same seed gives the same sequence of events with the same contents; only the ids the registry
draws (uuid4) and the recording timestamps differ between two loads.
"""

from ops.demo.content import LAST_DAY
from ops.demo.loader import DemoSummary, load_demo, region_data_found

__all__ = ["LAST_DAY", "DemoSummary", "load_demo", "region_data_found"]
