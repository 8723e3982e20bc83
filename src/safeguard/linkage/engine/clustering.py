"""Clustering scored pairs into people without chaining errors.

Plain connected components over links let one weak or wrong edge merge two people (a father and
son of the same name joined through a record with no date of birth). Here:

1. connected components over links (match weight >= join threshold, no hard rule broken);
2. a component of two records, or one with no hard-rule pair inside it, whose every link is
   at least the keep threshold, stands as it is;
3. any other component is rebuilt greedily from its strongest links down. A link joins two groups
   unless pairs across them break a hard rule (twins, different NHS numbers, ...) and there are
   not more than twice as many strong links across as such pairs (so one garbled record neither
   splits a person held in many records nor joins two people), or the link is a weak bridge
   (below the keep threshold) and the scored pairs across the two groups average below the join
   threshold;
4. a record that links about as strongly to two records that must not link (a "Jack Bell" with no
   date of birth at the address of Jack Bell and his son Jack Bell) joins neither: it is
   ambiguous and waits for a person to decide.

A person's decision wins over all of this: a pair marked `SPLIT` (conflict) never ends up in one
cluster, whatever links a third record makes to both; a pair at `CONFIRMED` weight always joins
unless that would put a split pair together.

Pairs never scored (not blocked together) count as no evidence either way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

# How much stronger (in match weight bits) one of two rival links must be to win.
AMBIGUITY_MARGIN = 5.0
# A pair that breaks a hard rule keeps two groups apart unless strong links across them
# outnumber such pairs more than this many times (a single garbled record among several).
OUTVOTE = 2
# A reviewer's decisions, as the linkage app marks them on the scored pairs.
SPLIT = "reviewer_split"
CONFIRMED = 99.0


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = parent.setdefault(x, x)
        while root != parent[root]:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            ra, rb = min(ra, rb), max(ra, rb)
            self.parent[rb] = ra
        return ra


def _as_table(pairs: Any) -> pa.Table:
    table = pairs if isinstance(pairs, pa.Table) else pa.Table.from_pandas(pairs, preserve_index=False)
    if "conflict" not in table.column_names:
        table = table.append_column("conflict", pa.nulls(table.num_rows, pa.string()))
    return pa.table(
        {
            "record_id_l": table["record_id_l"].cast(pa.int64()),
            "record_id_r": table["record_id_r"].cast(pa.int64()),
            "match_weight": table["match_weight"].cast(pa.float64()),
            "conflict": table["conflict"].cast(pa.string()),
        }
    )


def cluster(
    record_ids: Iterable[int],
    pairs: Any,
    join_threshold: float = 0.0,
    keep_threshold: float = 8.0,
) -> dict[int, int]:
    """record_id -> cluster key (the smallest record_id in the cluster); every record appears.

    `pairs` (pyarrow or pandas) has record_id_l, record_id_r, match_weight and optionally
    `conflict` (a hard rule the pair breaks, as `persons.predict` gives). Thresholds are match
    weights: 0 means the model finds a match as likely as not.
    """
    table = _as_table(pairs)
    components = _UnionFind()
    for rid in record_ids:
        components.find(int(rid))
    is_link = pc.and_(pc.greater_equal(table["match_weight"], join_threshold), pc.is_null(table["conflict"]))
    links = table.filter(is_link)
    for a, b in zip(links["record_id_l"].to_pylist(), links["record_id_r"].to_pylist(), strict=True):
        components.union(a, b)
    for a, b in zip(table["record_id_l"].to_pylist(), table["record_id_r"].to_pylist(), strict=True):
        components.find(a), components.find(b)  # every record in a pair appears in the result
    result = {rid: components.find(rid) for rid in components.parent}

    # Only pairs inside a component can change it: a component of three or more with a weak link,
    # or any component holding a pair that breaks a rule, is rebuilt.
    roots = pa.table(
        {"rid": pa.array(list(result), pa.int64()), "root": pa.array(list(result.values()), pa.int64())}
    )
    located = (
        table.join(roots, "record_id_l", "rid")
        .rename_columns(["record_id_l", "record_id_r", "match_weight", "conflict", "root_l"])
        .join(roots, "record_id_r", "rid")
        .rename_columns(["record_id_l", "record_id_r", "match_weight", "conflict", "root_l", "root_r"])
    )
    inside_table = located.filter(pc.equal(located["root_l"], located["root_r"]))
    inside: dict[int, list[tuple[int, int, float, bool]]] = defaultdict(list)
    split: set[tuple[int, int]] = set()
    for a, b, w, c, root in zip(
        *(
            inside_table[col].to_pylist()
            for col in ("record_id_l", "record_id_r", "match_weight", "conflict", "root_l")
        ),
        strict=True,
    ):
        inside[root].append((a, b, w, c is not None))
        if c == SPLIT:
            split.update(((a, b), (b, a)))
    for edges in inside.values():
        has_rule_pair = any(broken for *_, broken in edges)
        weak = any(w < keep_threshold for _, _, w, broken in edges if w >= join_threshold and not broken)
        if has_rule_pair or (weak and len({x for e in edges for x in e[:2]}) > 2):
            result.update(_rebuild(edges, join_threshold, keep_threshold, split))
    return result


def _rebuild(
    edges: list[tuple[int, int, float, bool]], join_threshold: float, keep_threshold: float,
    split: set[tuple[int, int]],
) -> dict[int, int]:
    scored: dict[int, dict[int, tuple[float, bool]]] = defaultdict(dict)
    for a, b, w, broken in edges:
        scored[a][b] = scored[b][a] = (w, broken)
    groups = _UnionFind()
    members: dict[int, list[int]] = {}
    for rid in scored:
        members[groups.find(rid)] = [rid]
    links = [e for e in edges if e[2] >= join_threshold and not e[3]]
    ambiguous = _ambiguous(links, scored, keep_threshold)
    links = sorted((e for e in links if e[2] >= CONFIRMED or not {e[0], e[1]} & ambiguous),
                   key=lambda e: (-e[2], e[0], e[1]))
    for a, b, w, _ in links:
        ga, gb = groups.find(a), groups.find(b)
        if ga == gb:
            continue
        small, other = (ga, gb) if len(members[ga]) <= len(members[gb]) else (gb, ga)
        if split and any((x, y) in split for x in members[small] for y in members[other]):
            continue
        if w >= CONFIRMED:
            root = groups.union(ga, gb)
            members[root] = members.pop(ga if root == gb else gb) + members.pop(root)
            continue
        across = [scored[x][y] for x in members[small] for y in scored[x] if groups.find(y) == other]
        broken = sum(1 for _, b in across if b)
        if broken and sum(1 for v, b in across if not b and v >= keep_threshold) <= OUTVOTE * broken:
            continue
        if w < keep_threshold and sum(v for v, b in across if not b) / len(across) < join_threshold:
            continue
        root = groups.union(ga, gb)
        members[root] = members.pop(ga if root == gb else gb) + members.pop(root)
    return {rid: min(members[groups.find(rid)]) for rid in scored}


def _ambiguous(
    links: list[tuple[int, int, float, bool]],
    scored: dict[int, dict[int, tuple[float, bool]]],
    keep_threshold: float,
) -> set[int]:
    """Records whose strongest link has a rival almost as strong to a record it must not join
    (unless many records link strongly to both: then the rule-breaking pair is outvoted)."""
    partners: dict[int, list[tuple[float, int]]] = defaultdict(list)
    strong: dict[int, set[int]] = defaultdict(set)
    for a, b, w, _ in links:
        partners[a].append((w, b))
        partners[b].append((w, a))
        if w >= keep_threshold:
            strong[a].add(b)
            strong[b].add(a)
    out = set()
    for x, rivals in partners.items():
        (best_w, best), *others = sorted(rivals, reverse=True)
        for w, b in others:
            rule_broken = scored[best].get(b, (0.0, False))[1]
            if rule_broken and best_w - w < AMBIGUITY_MARGIN and len(strong[best] & strong[b]) <= OUTVOTE:
                out.add(x)
                break
    return out
