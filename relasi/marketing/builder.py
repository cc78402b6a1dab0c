"""The visual rule builder's form encoding: each node of the tree has a path ("0", "0.2",
"0.2.1"); a group posts `<path>-op`, a condition `<path>-field`, `<path>-op`, `<path>-value`
(repeated for lists), `<path>-value2`, `<path>-days` and its params. Buttons post
`do=add-cond:<path>`, `do=add-group:<path>` or `do=remove:<path>`. Plain form controls and one
re-render per structural change: it works without JavaScript, by keyboard and at phone width;
htmx only swaps the builder and the live count in place."""

from typing import Any

from django.http import QueryDict

from relasi.marketing import rules


def parse(data: QueryDict) -> dict[str, Any]:
    """The (not yet validated) rule tree the form describes."""
    paths = data.getlist("node")
    nodes: dict[str, dict[str, Any]] = {}
    for entry in paths:
        path, _sep, kind = entry.partition(":")
        if not path or len(path) > 40:
            continue
        if kind == "g":
            nodes[path] = {"op": data.get(f"{path}-op", "and"), "rules": []}
        else:
            node: dict[str, Any] = {"field": data.get(f"{path}-field", "")}
            cond = rules.condition_for(node["field"])
            node["op"] = data.get(f"{path}-op", "")
            if cond is not None and node["op"] not in cond.ops:
                node["op"] = cond.ops[0]
            many = cond is not None and cond.kind in ("choice", "product", "category")
            node["value"] = data.getlist(f"{path}-value") if many else data.get(f"{path}-value")
            if cond is not None and cond.value2 is not None:
                node["value2"] = data.getlist(f"{path}-value2")
            if data.get(f"{path}-days"):
                node["days"] = data.get(f"{path}-days")
            for param in cond.params if cond is not None else ():
                node[param.name] = data.get(f"{path}-{param.name}", param.default)
            nodes[path] = node
    root = nodes.get("0", {"op": "and", "rules": []})
    if "rules" not in root:
        root = {"op": "and", "rules": [root]}
    for path in sorted(nodes, key=lambda p: [int(x) for x in p.split(".") if x.isdigit()]):
        if path == "0" or "." not in path:
            continue
        parent = nodes.get(path.rsplit(".", 1)[0])
        if parent is not None and "rules" in parent:
            parent["rules"].append(nodes[path])
    return root


def apply(rule: dict[str, Any], action: str) -> dict[str, Any]:
    """The tree after a builder button (`add-cond:<path>`, `add-group:<path>`, `remove:<path>`)."""
    verb, _sep, path = action.partition(":")
    steps = [int(x) for x in path.split(".")[1:] if x.isdigit()]
    parent = None
    node: dict[str, Any] = rule
    for i in steps:
        children = node.get("rules", [])
        if i >= len(children):
            return rule
        parent, node = node, children[i]
    if verb == "add-cond" and "rules" in node:
        node["rules"].append({"field": "lifecycle_stage", "op": "in", "value": []})
    elif verb == "add-group" and "rules" in node:
        node["rules"].append({"op": "or", "rules": [{"field": "city", "op": "eq", "value": ""}]})
    elif verb == "remove" and parent is not None:
        parent["rules"].remove(node)
    return rule


def rows(rule: dict[str, Any], path: str = "0", depth: int = 0) -> list[dict[str, Any]]:
    """The tree flattened for the template: one row per group start, condition and group end."""
    out: list[dict[str, Any]] = [
        {"type": "group", "path": path, "op": rule.get("op", "and"), "depth": depth}
    ]
    for i, child in enumerate(rule.get("rules", [])):
        child_path = f"{path}.{i}"
        if "rules" in child:
            out.extend(rows(child, child_path, depth + 1))
        else:
            cond = rules.condition_for(str(child.get("field", "")))
            value = child.get("value")
            values = [str(v) for v in value] if isinstance(value, list) else []
            out.append({
                "type": "cond", "path": child_path, "node": child, "cond": cond,
                "depth": depth + 1, "values": values,
                "values2": [str(v) for v in child.get("value2") or []],
                "text": "" if isinstance(value, list) or value is None else str(value),
                "choices": cond.choices() if cond is not None and cond.choices else [],
                "params": [(p, p.choices(), child.get(p.name, p.default))
                           for p in (cond.params if cond else ())],
            })  # fmt: skip
    out.append({"type": "end", "path": path, "depth": depth})
    return out


def sections() -> list[tuple[str, list[rules.Condition]]]:
    """The field select's option groups."""
    grouped: dict[str, list[rules.Condition]] = {}
    for cond in rules.all_conditions():
        grouped.setdefault(str(cond.section), []).append(cond)
    return list(grouped.items())
