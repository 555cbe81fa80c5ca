"""Bad checkpoint files: every one raises ``unibridge.CheckpointError`` with its reason, and
nothing else happens — no crash, no other exception, no allocation the file did not earn.

The table builds each bad file byte by byte (plain ``json`` and ``int.to_bytes``, not the
code under test); hypothesis then mutates valid files and throws random bytes at the parser.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import unibridge as ub


def raw_file(header: Any, data: bytes = b"", *, length: int | None = None, body: bytes | None = None) -> bytes:
    """A safetensors file from a JSON-able header (or raw header ``body``), with a length field
    that may lie."""
    if body is None:
        body = json.dumps(header).encode()
    return (len(body) if length is None else length).to_bytes(8, "little") + body + data


def entry(dtype: str = "F32", shape: list[Any] | None = None, offsets: list[Any] | None = None) -> dict[str, Any]:
    shape = [2] if shape is None else shape
    return {"dtype": dtype, "shape": shape, "data_offsets": [0, 8] if offsets is None else offsets}


def tree_meta(tree: Any) -> dict[str, str]:
    return {"unibridge.tree": json.dumps({"format": "unibridge.tree/1", "tree": tree})}


EIGHT = b"\0" * 8
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty file": (b"", "0 bytes"),
    "shorter than the length field": (b"\x05\0\0", "3 bytes"),
    "header longer than the file": (
        raw_file({"w": entry()}, EIGHT, length=10_000), "header length field says 10000 bytes but the file has only"),
    "huge header length field": (raw_file({}, length=2**63 + 5), "above the 100000000-byte limit"),
    "truncated data": (raw_file({"w": entry(shape=[4], offsets=[0, 16])}, EIGHT), "past the end of the data"),
    "offset past the end": (raw_file({"w": entry(offsets=[100, 108])}, EIGHT), "past the end"),
    "negative offset": (raw_file({"w": entry(offsets=[-8, 0])}, EIGHT), "hold"),
    "end before begin": (raw_file({"w": entry(shape=[0], offsets=[8, 0])}, EIGHT), "hold"),
    "overlapping tensors": (
        raw_file({"a": entry(offsets=[0, 8]), "b": entry(offsets=[4, 12])}, b"\0" * 12), "overlap"),
    "bytes disagree with dtype and shape": (raw_file({"w": entry(shape=[3])}, EIGHT), "is 12 bytes"),
    "2**60-element shape": (raw_file({"w": entry(shape=[2**60], offsets=[0, 8])}, EIGHT), "hold 8"),
    "empty shape too large for any array": (
        raw_file({"w": entry(shape=[0, 2**62], offsets=[0, 0])}), "too large"),
    "negative extent": (raw_file({"w": entry(shape=[-2])}, EIGHT), "non-negative"),
    "bool extent": (raw_file({"w": entry(shape=[True, 2])}, EIGHT), "non-negative integers"),
    "float extent": (raw_file({"w": entry(shape=[2.0])}, EIGHT), "non-negative integers"),
    "too many dimensions": (raw_file({"w": entry(shape=[1] * 65)}, EIGHT), "at most 64"),
    "unknown dtype": (raw_file({"w": entry(dtype="XYZ")}, EIGHT), "XYZ is not supported"),
    "dtype unibridge lacks": (raw_file({"w": entry(dtype="F8_E5M2", shape=[8])}, EIGHT), "F8_E5M2 is not supported"),
    "duplicate tensor names": (
        raw_file(None, b"\0" * 16, body=b'{"w":' + json.dumps(entry()).encode()
                 + b',"w":' + json.dumps(entry(offsets=[8, 16])).encode() + b"}"), "duplicate key 'w'"),
    "non-UTF-8 name": (raw_file(None, EIGHT, body=b'{"w\xff":' + json.dumps(entry()).encode() + b"}"), "not UTF-8"),
    "lone surrogate in a name": (raw_file(None, EIGHT, body=b'{"w\\udc80":' + json.dumps(entry()).encode() + b"}"),
                                 "not valid UTF-8"),
    "header not JSON": (raw_file(None, body=b"{not json"), "not valid JSON"),
    "header a JSON list": (raw_file([1, 2]), "must be a JSON object"),
    "deeply nested header": (raw_file(None, body=b"[" * 100_000 + b"]" * 100_000), "nested too deeply"),
    "missing field": (raw_file({"w": {"dtype": "F32", "shape": [2]}}, EIGHT), "exactly the fields"),
    "extra field": (raw_file({"w": {**entry(), "extra": 1}}, EIGHT), "exactly the fields"),
    "offsets not a pair": (raw_file({"w": entry(offsets=[0, 4, 8])}, EIGHT), "not a pair"),
    "metadata not text": (raw_file({"__metadata__": {"epoch": 3}}), "must map strings to strings"),
    "tree names a missing tensor": (raw_file({"__metadata__": tree_meta({"leaf": "nope"})}), "names no tensor"),
    "tree uses a tensor twice": (
        raw_file({"__metadata__": tree_meta({"list": [{"leaf": "w"}, {"leaf": "w"}]}), "w": entry()}, EIGHT),
        "uses a tensor twice"),
    "tree leaves a tensor out": (
        raw_file({"__metadata__": tree_meta({"list": []}), "w": entry()}, EIGHT), "missing from the tree"),
    "namedtuple name that is code": (
        raw_file({"__metadata__": tree_meta({"namedtuple": "os.system('x')", "fields": [], "items": []})}),
        "distinct identifiers"),
    "namedtuple private field": (
        raw_file({"__metadata__": tree_meta({"namedtuple": "P", "fields": ["_x"], "items": [None]})}),
        "distinct identifiers"),
    "unknown Python number type": (
        raw_file({"__metadata__": tree_meta({"leaf": "w", "python": "list"}), "w": entry()}, EIGHT),
        "unknown Python number type"),
    "Python number that is not 0-d": (
        raw_file({"__metadata__": tree_meta({"leaf": "w", "python": "float"}), "w": entry()}, EIGHT),
        "saved as a Python float"),
    "unknown structure format": (
        raw_file({"__metadata__": {"unibridge.tree": json.dumps({"format": "other/9", "tree": None})}}),
        "not format"),
    "structure not JSON": (raw_file({"__metadata__": {"unibridge.tree": "{"}}), "not valid JSON"),
    "structure node unknown": (raw_file({"__metadata__": tree_meta({"set": []})}), "unexpected node"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_raises_checkpoint_error_with_its_reason(name: str, tmp_path: Path) -> None:
    content, reason = BAD_FILES[name]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(ub.CheckpointError, match=reason.replace("(", r"\(").replace("*", r"\*")):
        ub.load(path)


@pytest.mark.parametrize("name", ["empty file", "huge header length field", "header longer than the file",
                                  "non-UTF-8 name", "metadata not text"])
def test_load_metadata_refuses_a_bad_header_too(name: str, tmp_path: Path) -> None:
    content, reason = BAD_FILES[name]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(ub.CheckpointError):
        ub.load_metadata(path)


def test_bad_files_allocate_nothing_they_claim(tmp_path: Path) -> None:
    # A 2**60-element shape, a 2**63-byte header length: with the address space capped at
    # 1 GiB above what the interpreter already maps, both are refused, not attempted.
    names = ["huge header length field", "2**60-element shape", "empty shape too large for any array",
             "header longer than the file"]
    for i, name in enumerate(names):
        (tmp_path / f"{i}.safetensors").write_bytes(BAD_FILES[name][0])
    code = textwrap.dedent(f"""
        import resource, glob, numpy as np, unibridge as ub
        used = sum(int(l.split()[0].split("-")[1], 16) - int(l.split()[0].split("-")[0], 16)
                   for l in open("/proc/self/maps"))
        resource.setrlimit(resource.RLIMIT_AS, (used + (1 << 30), resource.RLIM_INFINITY))
        for path in sorted(glob.glob({str(tmp_path)!r} + "/*.safetensors")):
            try:
                ub.load(path)
            except ub.CheckpointError:
                print("refused")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["refused"] * len(names), done.stdout + done.stderr[-2000:]


# -- fuzzing -----------------------------------------------------------------------------------------


def _load_or_refuse(path: Path) -> None:
    """The only two outcomes allowed: a tree whose every array can be read, or CheckpointError."""
    try:
        tree = ub.load(path, backend="numpy")
    except ub.CheckpointError:
        return
    from unibridge.autodiff._tree import flatten

    for leaf in flatten(tree)[0]:
        np.asarray(leaf).tobytes()  # touches every byte: a bad view would crash here


def _valid_file(tmp_path: Path) -> bytes:
    path = tmp_path / "valid.safetensors"
    ub.save({"layers": [{"W": np.arange(6.0).reshape(2, 3), "b": np.zeros(3, np.float16)}],
             "step": 3, "flags": (np.array([True, False]), None)}, path, metadata={"epoch": "2"})
    return path.read_bytes()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(content=st.binary(max_size=256))
def test_random_bytes_load_as_a_tree_or_raise_checkpoint_error(content: bytes, tmp_path_factory: Any) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "random.safetensors"
    path.write_bytes(content)
    _load_or_refuse(path)
    # The same bytes behind a plausible length field reach the JSON parser.
    path.write_bytes(len(content).to_bytes(8, "little") + content)
    _load_or_refuse(path)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated_headers(draw: Any, valid: bytes) -> bytes:
    """A valid file whose header JSON had one of its values replaced, a key dropped, or a key added."""
    n = int.from_bytes(valid[:8], "little")
    header = json.loads(valid[8 : 8 + n])
    data = valid[8 + n :]
    names = sorted(header)
    name = draw(st.sampled_from(names))
    what = draw(st.sampled_from(["dtype", "shape", "data_offsets", "drop", "add", "tree", "whole"]))
    if what == "drop":
        del header[name]
    elif what == "add":
        header[draw(st.text(max_size=6))] = draw(_JSON_VALUES)
    elif what == "whole":
        header[name] = draw(_JSON_VALUES)
    elif what == "tree":
        meta = header["__metadata__"]
        text = meta["unibridge.tree"]
        i = draw(st.integers(0, len(text) - 1))
        meta["unibridge.tree"] = text[:i] + draw(st.text(max_size=4)) + text[i + draw(st.integers(0, 3)):]
    elif name != "__metadata__":
        header[name][what] = draw(
            st.sampled_from(["F32", "BF16", "C64", "F8_E4M3", "", "BOOL"]) if what == "dtype"
            else st.lists(st.integers(min_value=-3, max_value=2**62), max_size=3) | _JSON_VALUES
        )
    body = json.dumps(header).encode()
    data = data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data
    return len(body).to_bytes(8, "little") + body + data


@st.composite
def mutated_bytes(draw: Any, valid: bytes) -> bytes:
    """A valid file with a few bytes overwritten, and maybe cut short."""
    content = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        content[draw(st.integers(0, len(content) - 1))] = draw(st.integers(0, 255))
    return bytes(content[: draw(st.integers(0, len(content)))] if draw(st.booleans()) else content)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutated_valid_files_load_as_a_tree_or_raise_checkpoint_error(data: Any, tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("mut")
    valid = _valid_file(folder)
    content = data.draw(mutated_headers(valid) | mutated_bytes(valid))
    path = folder / "mutated.safetensors"
    path.write_bytes(content)
    _load_or_refuse(path)
    try:
        ub.load_metadata(path)
    except ub.CheckpointError:
        pass
