"""YAML with line numbers: the data and, for every key path, the line it stands on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Loc = tuple[str | int, ...]


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it


class ContentLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that leaves dates as text: the schemas parse them with clear messages."""


ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass
class YamlDocument:
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[tuple[Loc, int]] = field(default_factory=list)
    first_line: int = 1

    def line_of(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest ancestor that has one."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return self.first_line


def parse_yaml(text: str, first_line: int = 1) -> YamlDocument:
    """Parse one YAML document; `first_line` shifts line numbers (front matter in a file)."""
    loader = ContentLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        raise YamlSyntaxError(line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    doc = YamlDocument(data=data, first_line=first_line)
    if node is not None:
        _map_lines(node, (), doc, first_line - 1)
    return doc


def _map_lines(node: yaml.Node, loc: Loc, doc: YamlDocument, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_loc = (*loc, key)
            line = key_node.start_mark.line + 1 + offset
            if key in seen:
                doc.duplicates.append((key_loc, line))
            seen.add(key)
            doc.lines.setdefault(key_loc, line)
            _map_lines(value_node, key_loc, doc, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_loc = (*loc, index)
            doc.lines[item_loc] = item.start_mark.line + 1 + offset
            _map_lines(item, item_loc, doc, offset)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split `---` front matter from a Markdown file: (yaml, body, body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None
