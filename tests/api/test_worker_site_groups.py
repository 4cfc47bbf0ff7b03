"""The worker site's HIT groups list over raw HTTP (both databases): the three orders, keyset pages, search,
and requirements deciding visibility as the worker API's ListHITs does."""

from __future__ import annotations

import re
import uuid

from helpers import QUESTION_FORM
from tests.site_helpers import signed_in

GROUP = re.compile(r'data-group-id="([^"]+)"')


def make_groups(mturk, word: str, specs: list[tuple[str, int]], clock=None, **extra) -> list[str]:
    """One HIT type per (reward, number of HITs); their HITGroupIds, in creation order (a second apart when
    given the clock)."""
    groups = []
    for number, (reward, hits) in enumerate(specs):
        if clock is not None:
            clock.advance(1)
        for _ in range(hits):
            hit = mturk.create_hit(Title=f"{word} task {number}", Description="Groups test.", Reward=reward,
                                   AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, MaxAssignments=2,
                                   Keywords=word, Question=QUESTION_FORM, **extra)["HIT"]
        groups.append(hit["HITGroupId"])
    return groups


def listed(browser, query: str) -> tuple[list[str], str | None]:
    page = browser.get(f"/projects?{query}")
    assert page.status_code == 200, page.text
    following = re.search(r'href="(/projects\?[^"]*next=[^"]+)" rel="next"', page.text)
    return GROUP.findall(page.text), following.group(1).replace("&amp;", "&") if following else None


def test_groups_in_each_order_with_exact_counts(server, mturk, workforce, clock):
    word = "w" + uuid.uuid4().hex[:10]
    cheap_many, rich_one, middle = make_groups(mturk, word, [("0.05", 3), ("0.90", 1), ("0.40", 2)], clock)
    browser, _ = signed_in(server, workforce.new().worker_id)
    assert listed(browser, f"q={word}")[0] == [middle, rich_one, cheap_many]  # newest first
    assert listed(browser, f"q={word}&sort=reward")[0] == [rich_one, middle, cheap_many]
    assert listed(browser, f"q={word}&sort=hits")[0] == [cheap_many, middle, rich_one]
    assert listed(browser, f"filters[search_term]={word}&sort=num_hits_desc")[0] == [cheap_many, middle, rich_one]
    page = browser.get(f"/projects?q={word}&sort=hits").text
    assert "3 HITs" in page and "$0.05" in page and "Acme" not in page


def test_keyset_pages_cover_every_group_once(server, mturk, workforce):
    word = "w" + uuid.uuid4().hex[:10]
    made = make_groups(mturk, word, [(f"0.{n:02d}", 1) for n in range(10, 33)])  # 23 groups, pages of 20
    browser, _ = signed_in(server, workforce.new().worker_id)
    for sort in ("newest", "reward", "hits"):
        first, following = listed(browser, f"q={word}&sort={sort}")
        assert len(first) == 20 and following
        second, last = listed(browser, following.split("?", 1)[1])
        assert sorted(first + second) == sorted(made) and last is None


def test_requirements_decide_visibility_as_the_api_does(server, mturk, workforce):
    word = "w" + uuid.uuid4().hex[:10]
    hidden = make_groups(mturk, word, [("0.10", 1)], QualificationRequirements=[
        {"QualificationTypeId": "00000000000000000071", "Comparator": "EqualTo",
         "LocaleValues": [{"Country": "DE"}], "ActionsGuarded": "DiscoverPreviewAndAccept"}])[0]
    shown = make_groups(mturk, word, [("0.20", 1)], QualificationRequirements=[
        {"QualificationTypeId": "00000000000000000071", "Comparator": "EqualTo",
         "LocaleValues": [{"Country": "DE"}], "ActionsGuarded": "Accept"}])[0]
    worker = workforce.new()  # Locale US
    browser, _ = signed_in(server, worker.worker_id)
    groups, _ = listed(browser, f"q={word}")
    assert groups == [shown]
    api_types = {h["HITGroupId"] for h in worker.hits() if h["Title"].startswith(word)}
    assert api_types == {shown}
    page = browser.get(f"/projects?q={word}").text
    assert "You do not meet the QualificationRequirement on Worker_Locale" in page
    assert listed(browser, f"q={word}&qualified=on")[0] == []
    assert browser.get(f"/projects/{hidden}/tasks").status_code == 403
    worker.set_profile(locale={"Country": "DE"})
    assert sorted(listed(browser, f"q={word}&qualified=on")[0]) == sorted([hidden, shown])
