"""Ground truth for situations that arise from several records together.

Event-local situations (a referral awaiting a decision, a missing episode ending, ...) are
written by the code that plants them. The ones here join records across agencies: an adult with
a risk marker living where a child lives, a registered sex offender at an unnotified address or
in a child's household, a child found at a risky address, children at a domestic abuse incident,
re-offending while on an order or bail. They are derived from what the generator planted, by
true identity (as perfect linkage would see it) and by each record's recorded_at and from/to,
never by running Safeguard's rules. Responses (risk assessments) are planted here as well.
"""

from __future__ import annotations

from . import timeutil as T
from .core import Chunk, Person

LINK_ROLES = {"resides", "stays", "visits", "bail_address", "notified_address", "bail_condition"}
HOME_ROLES = {"resides", "stays"}
INF = T.INF


def union(ivs):
    out = []
    for s, e in sorted(ivs):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1][1] = e
        else:
            out.append([s, e])
    return out


def intersect(a, b):
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append([s, e])
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _link_ev(lr) -> dict:
    if lr.role == "bail_condition":
        return {"source": lr.source, "kind": "event", "id": lr.id}
    return {"source": lr.source, "kind": "person_location", "id": lr.id}


class Deriver:
    def __init__(self, ch: Chunk):
        self.ch = ch
        self.by_tid: dict[str, Person] = {p.tid: p for p in ch.people}
        self._adult_from: dict[str, int] = {}

    def adult_from(self, tid: str) -> int:
        v = self._adult_from.get(tid)
        if v is None:
            v = self._adult_from[tid] = self.by_tid[tid].eighteen_ts()
        return v

    def child_ivs(self, pid: str, exclude: str = ""):
        """(start, end, link) while a child has a current home link to the place."""
        out = []
        for lr in self.ch.links_by_pid.get(pid, ()):
            if lr.role not in HOME_ROLES or lr.tid == exclude:
                continue
            c = self.by_tid[lr.tid]
            s = max(lr.start, T.london_midnight(c.dob))
            e = min(lr.end, c.eighteen_ts())
            if s < e:
                out.append((s, e, lr))
        return out

    def marker_at(self, tid: str, t: int, kinds: set[str] | None = None):
        for s, e, k, ev in self.ch.markers.get(tid, ()):
            if s <= t < e and (kinds is None or k in kinds):
                return ev
        return None

    def respond_ra(self, p: Person, raise_at: int, due: int, p_in: float, p_late: float) -> None:
        """Someone assesses the adult: in time, late, or never."""
        ch = self.ch
        rng = ch.rng
        x = rng.random()
        if x < p_in:
            t = raise_at + int(rng.uniform(0.05, 0.95) * max(600, due - raise_at))
        elif x < p_in + p_late:
            t = due + int(rng.uniform(0.5, 25) * T.DAY)
        else:
            return
        if t > ch.end_ts:
            return
        from .crime import risk_assessment

        if p.tid in ch.probation_known and rng.random() < 0.5:
            risk_assessment(ch, p, "probation", t - 1800, "oasys", rec=t)
        else:
            risk_assessment(ch, p, "police", t - 1800, "force", rec=t)

    # --- rules -----------------------------------------------------------------------

    def risky_adult_child(self, respond: bool = True) -> None:
        """An adult with a risk marker linked to a child's home. With ``respond``, plants the
        assessments that answer each situation (the feed); without, only writes the situations,
        judging every re-opening against all the assessments already planted (see derive)."""
        ch = self.ch
        partner_places: dict[str, list] = {}
        for adult_tid, parent_tid, s, e, ev in ch.partner_links:
            parent = self.by_tid.get(parent_tid)
            if parent is None:
                continue
            for c in parent.children:
                for lr in ch.links_by_tid.get(c.tid, ()):
                    if lr.role in HOME_ROLES:
                        partner_places.setdefault(adult_tid, []).append(
                            (lr.pid, max(s, lr.start), min(e, lr.end), ev)
                        )
        for tid in list(ch.markers):
            p = self.by_tid[tid]
            af = self.adult_from(tid)
            marks = sorted(ch.markers[tid], key=lambda m: m[0])
            M = union([(max(s, af), e) for s, e, _k, _ev in marks])
            if not M:
                continue
            places: dict[str, list] = {}
            for lr in ch.links_by_tid.get(tid, ()):
                if lr.role in LINK_ROLES:
                    places.setdefault(lr.pid, []).append((lr.start, lr.end, _link_ev(lr)))
            for pid, s, e, ev in partner_places.get(tid, ()):
                places.setdefault(pid, []).append((s, e, ev))
            for pid, ivs in places.items():
                C = self.child_ivs(pid, exclude=tid)
                if not C:
                    continue
                H = intersect(
                    intersect(union([(s, e) for s, e, _ in ivs]), union([(s, e) for s, e, _ in C])), M
                )
                seen_ev: set[tuple] = set()
                for s, e in H:
                    # the condition starts to hold (again), then new marker records arrive while it holds;
                    # a new record starts a new alert only if the last one was already acted on
                    arrivals = sorted(
                        (max(ms, af), ev["source"], ev["id"], ev)
                        for ms, _me, _k, ev in marks
                        if s < max(ms, af) < e
                    )
                    acted_until = None
                    for t, src, eid, ev in [(s, "", "", None), *arrivals]:
                        if ev is not None:
                            if (src, eid) in seen_ev:
                                continue  # a new version of a record already among the evidence
                            seen_ev.add((src, eid))
                            if acted_until is None or t < acted_until:
                                continue  # joins the open alert
                        kids = [c for c in C if c[0] <= t < c[1]]
                        mev = ev or self.marker_at(tid, t)
                        lev = next((lv for a, b, lv in ivs if a <= t < b), None)
                        if mev is None or lev is None or not kids:
                            continue
                        for ms, me, _k, mv in marks:
                            if ms <= t < me:
                                seen_ev.add((mv["source"], mv["id"]))
                        subjects = [(p, "adult")]
                        seen = set()
                        for _a, _b, lr in kids:
                            if lr.tid not in seen:
                                seen.add(lr.tid)
                                subjects.append((self.by_tid[lr.tid], "child"))
                        due = T.add_working_days(t, 1)
                        pattern = (
                            "new partner with a risk marker"
                            if "new_partner" in p.flags
                            else (
                                "registered sex offender in a child's household"
                                if "rso" in p.flags
                                else "adult with a risk marker in a child's household"
                            )
                        )
                        ch.situation(
                            "RISKY-ADULT-CHILD",
                            subjects,
                            [mev, lev, _link_ev(kids[0][2])],
                            t,
                            due,
                            f"adult:{tid}|location:{pid}",
                            pattern,
                            satisfied_by=("ra", tid),
                            extra={"new_record": True} if ev is not None else None,
                        )
                        if respond:
                            self.respond_ra(p, t, due, 0.6, 0.3)
                        later = [x for x in ch.ra_times.get(tid, ()) if x >= t]
                        acted_until = min(later) if later else INF

    def new_adult_plan(self) -> None:
        ch = self.ch
        for ctid, plans in ch.plans.items():
            c = self.by_tid[ctid]
            homes = [lr for lr in ch.links_by_tid.get(ctid, ()) if lr.role in HOME_ROLES]
            done = set()
            for ps, pe, pev in plans:
                plan_day = T.london_day(ps)
                for hl in homes:
                    w0, w1 = max(ps, hl.start), min(pe, hl.end)
                    if w0 >= w1:
                        continue
                    for lr in ch.links_by_pid.get(hl.pid, ()):
                        if lr.role not in HOME_ROLES or lr.tid == ctid or lr.tid in done:
                            continue
                        start_day = lr.from_day if lr.from_day is not None else T.london_day(lr.first_rec)
                        if start_day < plan_day:
                            continue
                        t = max(lr.start, w0)
                        if t >= min(lr.end, w1) or t < self.adult_from(lr.tid):
                            continue
                        if self.marker_at(lr.tid, t) is not None:
                            continue
                        a = self.by_tid[lr.tid]
                        done.add(lr.tid)
                        due = T.add_working_days(t, 2)
                        pattern = (
                            "family moved during a plan"
                            if a in c.parents
                            else "new adult in the household of a child on a plan"
                        )
                        ch.situation(
                            "NEW-ADULT-PLAN",
                            [(a, "adult"), (c, "child")],
                            [_link_ev(lr), pev],
                            t,
                            due,
                            f"adult:{a.tid}|child:{ctid}",
                            pattern,
                            satisfied_by=("ra", a.tid),
                        )
                        self.respond_ra(a, t, due, 0.4, 0.3)

    def rso(self) -> None:
        ch = self.ch
        for tid, regs in ch.registrations.items():
            p = self.by_tid[tid]
            R = union([(s, e) for s, e, _ in regs])
            links = ch.links_by_tid.get(tid, ())
            # RSO-ADDRESS: recorded as living somewhere the register was not told of
            seen = set()
            for lr in sorted(links, key=lambda x: x.start):
                if lr.role not in HOME_ROLES or lr.pid in seen:
                    continue
                live = intersect([[lr.start, lr.end]], R)
                if not live:
                    continue
                t = live[0][0]
                notes = sorted(x for x, _k in ch.notified.get((tid, lr.pid), ()))
                if any(x <= t for x in notes):
                    continue
                seen.add(lr.pid)
                base = lr.from_day if lr.from_day is not None else T.london_day(lr.first_rec)
                due = T.london_midnight(base + 3)
                acted = next((x for x in notes if x >= t), None)
                ch.situation(
                    "RSO-ADDRESS",
                    [(p, "offender")],
                    [_link_ev(lr), regs[0][2]],
                    t,
                    due,
                    f"offender:{tid}|location:{lr.pid}",
                    "living at an address not notified to the register",
                    acted_at=acted,
                )
            # RSO-CHILD-HOUSEHOLD
            by_place: dict[str, list] = {}
            for lr in links:
                if lr.role in ("resides", "stays", "notified_address"):
                    by_place.setdefault(lr.pid, []).append(lr)
            for pid, lrs in by_place.items():
                C = self.child_ivs(pid, exclude=tid)
                if not C:
                    continue
                H = intersect(
                    intersect(union([(lr.start, lr.end) for lr in lrs]), union([(s, e) for s, e, _ in C])), R
                )
                if not H:
                    continue
                ch_notes = sorted(x for x, k in ch.notified.get((tid, pid), ()) if k == "child_household")
                for s, _e in H:
                    if any(x <= s for x in ch_notes):
                        continue
                    kids = [c for c in C if c[0] <= s < c[1]]
                    lr = next((lr for lr in lrs if lr.start <= s < lr.end), lrs[0])
                    subjects = [(p, "offender")] + [(self.by_tid[k[2].tid], "child") for k in kids]
                    acted = next((x for x in ch_notes if x >= s), None)
                    ch.situation(
                        "RSO-CHILD-HOUSEHOLD",
                        subjects,
                        [_link_ev(lr), regs[0][2]],
                        s,
                        T.add_working_days(s, 1),
                        f"offender:{tid}|location:{pid}",
                        "registered sex offender in a child's household",
                        acted_at=acted,
                    )
                    break

    def found_with_risk(self) -> None:
        ch = self.ch
        for f in ch.found:
            r = f["rec"]
            c = f["child"]
            for lr in ch.links_by_pid.get(f["pid"], ()):
                if lr.role not in LINK_ROLES or lr.tid == c.tid or not (lr.start <= r < lr.end):
                    continue
                if r < self.adult_from(lr.tid):
                    continue
                ev = self.marker_at(lr.tid, r, {"sexual", "exploitation"})
                if ev is None:
                    continue
                adult = self.by_tid[lr.tid]
                ch.situation(
                    "MISSING-FOUND-WITH-RISK",
                    [(c, "missing"), (adult, "adult")],
                    [ch.evidence(f["ev"]), _link_ev(lr), ev],
                    r,
                    T.add_working_days(r, 1),
                    f"episode:police/{f['ev'].id}",
                    "child found where a risky adult lives",
                    satisfied_by=("sd", c.tid),
                )
                break

    def encompass(self) -> None:
        ch = self.ch
        for inc in ch.da_incidents:
            at, rec, ev = inc["at"], inc["rec"], inc["ev"]
            day = T.london_day(at)
            cands: dict[str, int] = {tid: rec for tid in inc["present"]}
            for lr in ch.links_by_pid.get(inc["pid"], ()):
                if lr.role not in HOME_ROLES:
                    continue
                if lr.from_day is not None and lr.from_day > day:
                    continue
                if lr.first_rec > ch.end_ts:
                    continue
                raise_at = max(rec, lr.first_rec)
                if (
                    lr.to_day is not None
                    and day > lr.to_day
                    and (lr.closed_rec is None or lr.closed_rec <= raise_at)
                ):
                    continue
                cands[lr.tid] = min(cands.get(lr.tid, INF), raise_at)
            due = T.next_working_day_at(at, 9)
            for tid, raise_at in sorted(cands.items()):
                c = self.by_tid[tid]
                if not c.is_child_on(day):
                    continue
                acted = ch.encompass.get((ev.id, tid))
                if acted == raise_at:
                    continue  # the condition and what satisfies it arrive together: no alert
                if acted is not None and acted < raise_at:
                    acted = None  # sent before the alert was raised: does not satisfy it (rules.md, Status)
                ch.situation(
                    "ENCOMPASS",
                    [(c, "child")],
                    [ch.evidence(ev)],
                    raise_at,
                    due,
                    f"incident:police/{ev.id}|child:{tid}",
                    "child at a domestic abuse incident",
                    acted_at=acted,
                )

    def reoffend(self) -> None:
        ch = self.ch
        for tid in list(ch.cj_triggers):
            acts = ch.active_cj.get(tid)
            if not acts:
                continue
            p = self.by_tid[tid]
            for at, rec, evid in sorted(ch.cj_triggers[tid], key=lambda x: (x[0], x[2]["id"])):
                hits = [a for a in acts if a[0] <= at < a[1] and a[3] != evid]
                if not hits:
                    continue
                raise_at = max(rec, min(h[2] for h in hits))
                if raise_at > ch.end_ts:
                    continue
                due = T.add_working_days(raise_at, 5)
                ch.situation(
                    "REOFFEND-REASSESS",
                    [(p, "person")],
                    [evid, hits[0][3]],
                    raise_at,
                    due,
                    f"person:{tid}|trigger:{evid['source']}/{evid['id']}",
                    "offence or breach while on an order or bail",
                    satisfied_by=("ra", tid),
                )
                self.respond_ra(p, raise_at, due, 0.6, 0.3)

    def bails(self) -> None:
        """BAIL-ADDRESS and BAIL-EXPIRY, across all of a person's bails."""
        ch = self.ch
        for _tid, bails in ch.bails.items():
            bails = sorted(bails, key=lambda b: (b["at"], b["ev"].id))
            for i, b in enumerate(bails):
                p = b["person"]
                later = bails[i + 1 :]
                evid = ch.evidence(b["ev"])
                if b["rec"] not in b["ok"]:
                    raise_at = b["rec"]
                    sat = [t for t in b["ok"] if t >= raise_at]
                    sat += [t for lb in later for t in lb["ok"][:1] if t >= raise_at]
                    ch.situation(
                        "BAIL-ADDRESS",
                        [(p, "person")],
                        [evid],
                        raise_at,
                        T.add_working_days(raise_at, 1),
                        f"bail:police/{b['ev'].id}",
                        "bail to a vague or unverified address",
                        acted_at=min(sat) if sat else None,
                    )
                if b["kind"] != "pre_charge":
                    continue
                end_of_exp = T.end_of_day(b["expires"])
                raise_at = max(T.london_midnight(b["expires"] - 14), b["rec"])
                if raise_at >= end_of_exp or raise_at > ch.end_ts:
                    continue
                cands = [lb["rec"] for lb in later]
                if b["charge_rec"] is not None:
                    cands.append(b["charge_rec"])
                if any(t <= raise_at for t in cands):
                    continue
                ch.situation(
                    "BAIL-EXPIRY",
                    [(p, "person")],
                    [evid],
                    raise_at,
                    end_of_exp,
                    f"bail:police/{b['ev'].id}",
                    "pre-charge bail running out",
                    acted_at=min(cands) if cands else None,
                )

    def resolve(self) -> None:
        ch = self.ch
        kept = []
        for s in ch.situations:
            sat = s.pop("_sat", None)
            if sat is not None:
                kind, tid = sat
                times = sorted(ch.ra_times.get(tid, ()) if kind == "ra" else ch.sd_times.get(tid, ()))
                s["acted_at"] = next((t for t in times if t >= s["true_at"]), None)
                if s["acted_at"] == s["true_at"]:
                    # the condition and what satisfies it arrive together (an assessment recorded with
                    # the move): no alert (rules.md, "One alert per situation"), so no situation
                    continue
            kept.append(s)
        ch.situations = kept


def derive(ch: Chunk) -> None:
    d = Deriver(ch)
    d.bails()
    d.encompass()
    d.reoffend()
    d.rso()
    d.found_with_risk()
    d.new_adult_plan()
    d.risky_adult_child()  # last: its responses are risk assessments other situations may use
    # Whether a new marker re-opens an (adult, place) key depends on whether the adult was assessed
    # since its last situation; the first pass judged that from the assessments planted so far, so
    # one answering the same adult's situation at another place (a partner's second home, a bail
    # address), derived later, was not seen and the re-opening was missed. Derive the situations
    # again with every assessment known: the feed (the assessments planted) stays as it was.
    ch = d.ch
    ch.situations = [s for s in ch.situations if s["rule"] != "RISKY-ADULT-CHILD"]
    d.risky_adult_child(respond=False)
    d.resolve()
