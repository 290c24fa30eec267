"""Stateful property test: any sequence of inspector edits, exports, restored computers (forks),
and duplicated, reordered, dropped or corrupted deliveries leaves the lead's central database
equal to a simple reference model built only from the bundles the merge accepted.

The model knows nothing of the merge's tables or SQL: from the accepted bundles' records it
computes, per answer and detail, each author's latest versions, whether they disagree, and the
deterministic choice (latest updated_at, ties by author id); which UUID holds a case reference
(the lead's own, else the lowest); and each case's status (the least advanced among readers).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from fieldwork.bundles import verify_bundle
from fieldwork.errors import ValidationError
from fieldwork.frameworks.loader import load_framework
from fieldwork.identity.trust import load_trust_list
from fieldwork.merge import accept_held, merge_bundles
from fieldwork.store.assessments import set_answer, set_detail
from fieldwork.store.inspections import add_case

from .helpers import INSPECTION, Person, central_dump, hand_out, integrity_ok, make_lead

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks" / "mini.toml"
INSPECTORS = ("ann", "bob", "cat")
QUESTIONS = {"2.1.1": ("yes", "no"), "2.1.2": ("yes", "no", "na")}
STATUS_ORDER = {"not_started": 0, "in_progress": 1, "complete": 2, "handed_over": 3}


def model(accepted, lead_cases: set[str]):
    """Expected central rows, open conflicts, case-reference conflicts and statuses."""
    versions = defaultdict(set)
    refs, states = {}, {}
    for records, signer in accepted:
        for c in records.cases:
            refs[c.uuid] = c.case_ref
            key = (c.revision, c.updated_at, STATUS_ORDER[c.status])
            if (c.uuid, signer) not in states or key > states[(c.uuid, signer)][0]:
                states[(c.uuid, signer)] = (key, c.status)
        for a in records.answers:
            version = (a.updated_by, a.revision, a.updated_at, a.value, a.note)
            versions[("answer", a.case_uuid, a.question_id)].add(version)
        for d in records.details:
            versions[("detail", d.case_uuid, d.field_id)].add((d.updated_by, d.revision, d.updated_at, d.value, ""))
    owners: dict[str, str] = {}
    for uuid, ref in refs.items():
        if uuid not in lead_cases:
            owners[ref] = min(owners.get(ref, uuid), uuid)
    central = lead_cases | set(owners.values())
    parked = {(refs[u], u) for u in refs if u not in central}
    rows, conflicts = {}, set()
    for ident, found in versions.items():
        if ident[1] not in central:
            continue
        top: dict[str, int] = {}
        for author, revision, *_ in found:
            top[author] = max(top.get(author, 0), revision)
        heads = [v for v in found if v[1] == top[v[0]]]
        heads.sort(key=lambda v: (v[0], -v[1], v[3] is None, v[3] or "", v[4]))
        heads.sort(key=lambda v: v[2], reverse=True)
        best = heads[0]
        if len({(v[3], v[4]) for v in heads}) > 1:
            conflicts.add(ident)
        rows[ident] = (best[3], best[4], max(v[1] for v in found), best[2], best[0])
    statuses = {}
    for case in central:
        readers = [s for (u, _), (_, s) in states.items() if u == case and s != "not_started"]
        statuses[case] = min(readers, key=STATUS_ORDER.__getitem__) if readers else "not_started"
    return rows, conflicts, parked, statuses


class MergeMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="merge-sm-"))
        framework = load_framework(MINI)
        self.lead = make_lead(self.root, framework)
        self.people = {p: Person(self.root, p, framework) for p in INSPECTORS}
        lead_cases = [add_case(self.lead.store, self.lead.inspection, f"L{n}").id for n in range(3)]
        self.lead_cases = set(lead_cases)
        self.cases = {}
        for n, person_id in enumerate(INSPECTORS):  # every lead case is read by two inspectors
            mine = [lead_cases[n], lead_cases[(n + 1) % 3]]
            hand_out(self.lead, self.people[person_id], mine)
            self.cases[person_id] = mine
        self.trust = load_trust_list(self.lead.store)
        self.sent: list[Path] = []
        self.contents: dict[Path, tuple] = {}  # path -> (manifest hash, records, signer)
        self.accepted: dict[str, tuple] = {}  # manifest hash -> (records, signer)
        self.corrupted = 0

    def teardown(self):
        for person in (self.lead, *self.people.values()):
            person.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- inspectors ---------------------------------------------------------------------------

    @initialize(first=st.lists(st.sampled_from(["yes", "no"]), min_size=6, max_size=6), by_hand=st.booleans())
    def first_day(self, first, by_hand):
        """Everyone judges 2.1.1 on both their cases and exports once: double reads may differ.
        Sometimes ann and bob each add case NEW1 by hand as well (one reference, two UUIDs)."""
        for n, who in enumerate(INSPECTORS):
            for m, case in enumerate(self.cases[who]):
                set_answer(self.people[who].store, case, "2.1.1", value=first[2 * n + m])
            if by_hand and who != "cat":
                self.add_case_by_hand(who, "NEW1", first[n])
            else:
                self.export(who)

    edits = st.lists(
        st.tuples(st.integers(0, 9), st.sampled_from([*sorted(QUESTIONS), "rosh"]), st.integers(0, 2),
                  st.sampled_from(["", "seen", "not seen"])),
        min_size=1, max_size=4,
    )

    @rule(who=st.sampled_from(INSPECTORS), edits=edits, export=st.booleans())
    def work(self, who, edits, export):
        """An inspector answers a few questions (or corrects a case detail), then maybe exports."""
        person = self.people[who]
        for pick, question, choice, note in edits:
            case = self.cases[who][pick % len(self.cases[who])]
            if question == "rosh":
                set_detail(person.store, case, "rosh", ["low", "high"][choice % 2])
            else:
                values = QUESTIONS[question]
                set_answer(person.store, case, question, value=values[choice % len(values)], note=note)
        if export:
            self.export(who)

    @rule(who=st.sampled_from(INSPECTORS), ref=st.sampled_from(["NEW1", "NEW2"]), value=st.sampled_from(["yes", "no"]))
    def add_case_by_hand(self, who, ref, value):
        """A case the sample missed, added by hand (a new UUID; another inspector may add it too)."""
        person = self.people[who]
        try:
            case = add_case(person.store, person.inspection, ref, inspector_id=who)
        except ValidationError:
            return  # they already have it
        self.cases[who].append(case.id)
        set_answer(person.store, case.id, "2.1.1", value=value)
        self.export(who)

    @rule(who=st.sampled_from(INSPECTORS))
    def export(self, who):
        """An inspector exports with nothing new (the bundle repeats what they sent before)."""
        path = self.people[who].export(self.lead)
        verified = verify_bundle(path, identity=self.lead.keys, trust=self.trust)
        self.sent.append(path)
        self.contents[path] = (verified.manifest_sha256, verified.records, who)

    @rule(who=st.sampled_from(INSPECTORS))
    def restore_from_backup(self, who):
        """The inspector's computer forgets its last export number: the next export forks."""
        with self.people[who].store.transaction() as db:
            db.execute(
                "DELETE FROM bundle_exports WHERE rowid = (SELECT rowid FROM bundle_exports ORDER BY sequence DESC "
                "LIMIT 1)"
            )

    # --- deliveries -----------------------------------------------------------------------------

    @precondition(lambda self: self.sent)
    @rule(picks=st.lists(st.integers(0, 99), min_size=1, max_size=4), corrupt=st.booleans())
    def deliver(self, picks, corrupt):
        """Any files, in any order, repeated or not; optionally one damaged in transit."""
        paths = [self.sent[p % len(self.sent)] for p in picks]
        damaged = None
        if corrupt:
            data = bytearray(paths[0].read_bytes())
            data[len(data) // 2] ^= 0x55
            self.corrupted += 1
            damaged = self.root / f"damaged-{self.corrupted}.fwbundle"
            damaged.write_bytes(bytes(data))
            paths.insert(1, damaged)
        report = merge_bundles(self.lead.store, paths, self.lead.keys)
        # Every lead case is unallocated and read by two inspectors, and cases are added by hand: a
        # lead who accepts what was held after each merge sees what the model computes.
        accept_held(self.lead.store, INSPECTION)
        for path, result in zip(paths, report.results, strict=True):
            if path == damaged:
                assert result.status == "refused", result
                continue
            digest, records, signer = self.contents[path]
            if result.merged:
                assert digest not in self.accepted
                self.accepted[digest] = (records, signer)
            elif result.status == "already_imported":
                assert digest in self.accepted
            else:
                assert result.code == "fork" and digest not in self.accepted, result
                event("a fork was refused")
        if report.open_conflicts:
            event("the lead has conflicts to resolve")
        if self.lead.store.db.execute("SELECT 1 FROM merge_case_conflicts").fetchone():
            event("a case reference arrived twice")

    @precondition(lambda self: self.accepted)
    @rule()
    def merge_everything_again(self):
        before = central_dump(self.lead.store)
        paths = [p for p, (digest, _, _) in self.contents.items() if digest in self.accepted]
        report = merge_bundles(self.lead.store, paths, self.lead.keys)
        assert all(r.status == "already_imported" for r in report.results)
        assert central_dump(self.lead.store) == before

    # --- the central database equals the model ------------------------------------------------

    @invariant()
    def central_equals_model(self):
        rows, conflicts, parked, statuses = model(self.accepted.values(), self.lead_cases)
        db = self.lead.store.db
        actual = {("answer", r[0], r[1]): r[2:] for r in db.execute(
            "SELECT case_id, question_id, value, note, revision, updated_at, updated_by FROM answers")}
        actual.update({("detail", r[0], r[1]): r[2:] for r in db.execute(
            "SELECT case_id, field_id, value, '', revision, updated_at, updated_by FROM case_details")})
        assert actual == rows
        assert set(db.execute("SELECT kind, case_id, key FROM merge_open_conflicts").fetchall()) == conflicts
        assert set(db.execute("SELECT case_ref, case_id FROM merge_case_conflicts WHERE status = 'open'")) == parked
        assert dict(db.execute("SELECT id, status FROM cases").fetchall()) == statuses

    @invariant()
    def store_is_sound(self):
        assert integrity_ok(self.lead.store)
        assert not self.lead.store.db.conn.in_transaction  # nothing left uncommitted


MergeMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_merge_state_machine = MergeMachine.TestCase
