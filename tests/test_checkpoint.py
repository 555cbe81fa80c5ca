"""``unibridge.save`` / ``load``: pytrees of arrays in one safetensors file, any framework to any other.

Oracles: the bytes of the source arrays (a round trip must keep every bit), the
``safetensors`` package's own reader and writer (an independent parser), and the
kernel's ``/proc/self/maps`` for which loaded arrays are views of the mapped file.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge._memory import address
from unibridge.checkpoint import _atomic

from _backends import availability, gpu_available, require

BACKENDS = ("numpy", "torch", "tensorflow", "jax")
# Every dtype both unibridge and safetensors have (complex128: safetensors has none).
STORABLE = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float16", "bfloat16", "float32", "float64", "complex64")
Point = collections.namedtuple("Point", "x y")


@pytest.fixture(params=BACKENDS)
def any_backend(request: pytest.FixtureRequest) -> str:
    require(request.param)
    return request.param  # type: ignore[no-any-return]


def safetensors_module(name: str) -> Any:
    """A module of the safetensors package (the independent reader and writer), or a skip."""
    return pytest.importorskip(name, reason="the safetensors package (the 'checkpoint' extra) is the oracle")


def np_dtype(name: str) -> np.dtype[Any]:
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def random_bits(name: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray[Any, Any]:
    """Arbitrary bit patterns of ``name`` (NaN payloads, infinities, subnormals included)."""
    dt = np_dtype(name)
    rng = np.random.default_rng(seed)
    if name == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    count = int(np.prod(shape))
    return rng.integers(0, 256, count * dt.itemsize, dtype=np.uint8).view(dt).reshape(shape)


def host_bytes(x: Any) -> bytes:
    return np.ascontiguousarray(ub.to_numpy(x)).tobytes()


def mapped_ranges(path: Path) -> list[tuple[int, int]]:
    """The address ranges where this process maps ``path`` (the kernel's own account)."""
    real = os.path.realpath(path)
    ranges = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            if line.rstrip().endswith(" " + real):
                lo, hi = (int(v, 16) for v in line.split()[0].split("-"))
                ranges.append((lo, hi))
    return ranges


def file_offsets(path: Path) -> dict[str, int]:
    """Each tensor's offset from the start of the file, read from the header with plain ``json``."""
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    return {k: 8 + n + v["data_offsets"][0] for k, v in header.items() if k != "__metadata__"}


def in_mapping(x: Any, path: Path) -> bool:
    where = address(ub.to_numpy(x))
    return any(lo <= where < hi for lo, hi in mapped_ranges(path))


# -- round trips ------------------------------------------------------------------------------------


def test_every_storable_dtype_round_trips_bit_exactly_onto_every_backend(any_backend: str, tmp_path: Path) -> None:
    tree = {name: random_bits(name, (3, 5), seed=i) for i, name in enumerate(STORABLE)}
    tree["scalar"] = np.float16(1.5).reshape(())
    tree["empty"] = np.zeros((0, 4), np.float32)
    path = tmp_path / "all.safetensors"
    ub.save(tree, path)
    back = ub.load(path, backend=any_backend)
    assert list(back) == list(tree)
    for name, want in tree.items():
        got = back[name]
        assert type(got) is type(ub.asarray(np.zeros(1), backend=any_backend)), name
        assert ub.dtype_of(got) == ub.dtype_of(want), name
        assert tuple(got.shape) == want.shape, name
        assert host_bytes(got) == want.tobytes(), name


def test_arrays_of_every_framework_in_one_tree_save_and_come_back_on_one_backend(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    tree: dict[str, Any] = {"np": np.arange(4.0), "torch_grad": torch.ones(3, dtype=torch.bfloat16, requires_grad=True)}
    for name in ("tensorflow", "jax"):
        if availability(name)[0]:
            tree[name] = ub.asarray(np.arange(6, dtype=np.int32).reshape(2, 3), backend=name)
    path = tmp_path / "mixed.safetensors"
    ub.save(tree, path)
    back = ub.load(path, backend="torch")
    for name, want in tree.items():
        assert isinstance(back[name], torch.Tensor) and ub.dtype_of(back[name]) == ub.dtype_of(want)
        assert host_bytes(back[name]) == host_bytes(want), name


def test_the_tree_comes_back_with_its_containers_keys_and_python_numbers(tmp_path: Path) -> None:
    tree = {
        "layers": [Point(np.eye(2), np.zeros(2)), (np.ones(1), None)],
        7: {"step": 12, "lr": 0.5, "done": True},
        "ordered": collections.OrderedDict([("b", np.zeros(1)), ("a", np.ones(1))]),
        "none": None,
        "empty": [],
    }
    path = tmp_path / "tree.safetensors"
    ub.save(tree, path)
    back = ub.load(path)
    assert list(back) == ["layers", 7, "ordered", "none", "empty"]
    point = back["layers"][0]
    assert type(point).__name__ == "Point" and point._fields == ("x", "y")
    assert type(point) is not Point  # rebuilt with the same fields, never imported by name
    np.testing.assert_array_equal(point.x, np.eye(2))
    assert isinstance(back["layers"][1], tuple) and back["layers"][1][1] is None
    assert back[7] == {"step": 12, "lr": 0.5, "done": True}
    assert [type(v) for v in back[7].values()] == [int, float, bool]
    assert type(back["ordered"]) is dict and list(back["ordered"]) == ["b", "a"]
    assert back["none"] is None and back["empty"] == []


def test_one_array_alone_is_a_tree_too(tmp_path: Path) -> None:
    ub.save(np.arange(3), tmp_path / "one.safetensors")
    np.testing.assert_array_equal(ub.load(tmp_path / "one.safetensors"), np.arange(3))


def test_tensor_names_are_readable_paths_with_slashes_in_keys_escaped(tmp_path: Path) -> None:
    load_file = safetensors_module("safetensors.numpy").load_file

    tree = {"layers": [{"W": np.zeros(1), "b": np.zeros(1)}], "a/b": np.ones(1), "c~d": np.ones(1), 3: [np.ones(1)]}
    path = tmp_path / "names.safetensors"
    ub.save(tree, path)
    assert set(load_file(str(path))) == {"layers/0/W", "layers/0/b", "a~1b", "c~0d", "3/0"}
    assert list(ub.load(path)) == ["layers", "a/b", "c~d", 3]


def test_user_metadata_is_kept_and_read_back_without_loading_the_arrays(tmp_path: Path) -> None:
    safe_open = safetensors_module("safetensors").safe_open

    path = tmp_path / "meta.safetensors"
    ub.save({"w": np.zeros(2)}, path, metadata={"epoch": "3", "note": "ünïcode"})
    assert ub.load_metadata(path) == {"epoch": "3", "note": "ünïcode"}
    with safe_open(str(path), framework="np") as f:
        assert f.metadata()["epoch"] == "3"


@pytest.mark.parametrize(
    ("metadata", "says"),
    [({"epoch": 3}, "str to str"), ({1: "x"}, "str to str"), ({"unibridge.tree": "{}"}, "reserved"),
     (["epoch"], "mapping")],
)
def test_metadata_that_is_not_text_or_uses_the_reserved_key_is_refused(
    metadata: Any, says: str, tmp_path: Path
) -> None:
    with pytest.raises(ub.CheckpointError, match=says):
        ub.save({"w": np.zeros(1)}, tmp_path / "m.safetensors", metadata=metadata)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("tree", "says"),
    [
        ({"z": np.zeros(2, np.complex128)}, "complex128, which safetensors cannot store"),
        ({"s": "text"}, "leaf 's' is not an array"),
        ({"o": np.array([object()])}, "leaf 'o' is not an array"),
        ({"big": 2**70}, "does not fit in int64"),
        ({(1, 2): np.zeros(1)}, r"dict key \(1, 2\)"),
        ({1: np.zeros(1), "1": np.zeros(1)}, "both be named '1'"),
    ],
    ids=["complex128", "str", "object", "int-overflow", "tuple-key", "name-collision"],
)
def test_a_tree_that_cannot_be_saved_raises_checkpoint_error_naming_the_leaf(
    tree: Any, says: str, tmp_path: Path
) -> None:
    with pytest.raises(ub.CheckpointError, match=says):
        ub.save(tree, tmp_path / "bad.safetensors")
    assert not any(tmp_path.iterdir())


# -- interoperability with the safetensors package ---------------------------------------------------


def test_files_from_save_open_with_safetensors_numpy_and_torch_load_file(tmp_path: Path) -> None:
    np_load = safetensors_module("safetensors.numpy").load_file

    tree = {name: random_bits(name, (4, 3), seed=i) for i, name in enumerate(STORABLE)}
    path = tmp_path / "ours.safetensors"
    ub.save(tree, path, metadata={"k": "v"})
    got = np_load(str(path))
    assert set(got) == set(tree)
    for name, want in tree.items():
        assert got[name].shape == want.shape and got[name].tobytes() == want.tobytes(), name
    torch = pytest.importorskip("torch")
    torch_load = safetensors_module("safetensors.torch").load_file

    got_t = torch_load(str(path))
    for name, want in tree.items():
        t = got_t[name]
        bits = t.view(torch.int16) if t.dtype == torch.bfloat16 else t
        assert bits.numpy().tobytes() == want.tobytes(), name


def test_files_from_safetensors_save_file_load_as_a_flat_dict_on_every_backend(
    any_backend: str, tmp_path: Path
) -> None:
    save_file = safetensors_module("safetensors.numpy").save_file

    # Odd sizes: the safetensors package packs them, so most of these tensors are misaligned.
    tree = {f"t{i}": random_bits(name, (i + 1, 3), seed=i) for i, name in enumerate(STORABLE)}
    path = tmp_path / "theirs.safetensors"
    save_file(tree, str(path))
    back = ub.load(path, backend=any_backend)
    assert type(back) is dict and set(back) == set(tree)
    for name, want in tree.items():
        assert ub.dtype_of(back[name]) == ub.dtype_of(want) and host_bytes(back[name]) == want.tobytes(), name
    xp = ub.namespace(any_backend)
    assert float(ub.to_numpy(xp.sum(back["t12"]))) == float(tree["t12"].sum())  # computing on it works


def test_files_from_safetensors_torch_save_file_keep_bfloat16(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    save_file = safetensors_module("safetensors.torch").save_file

    t = torch.randn(5, 7).to(torch.bfloat16)
    save_file({"w": t, "step": torch.tensor(3)}, str(tmp_path / "t.safetensors"))
    back = ub.load(tmp_path / "t.safetensors", backend="torch")
    assert back["w"].dtype == torch.bfloat16 and torch.equal(back["w"], t) and int(back["step"]) == 3


def test_a_dtype_unibridge_does_not_have_is_refused_by_name(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    save_file = safetensors_module("safetensors.torch").save_file

    save_file({"w": torch.zeros(4).to(torch.float8_e4m3fn)}, str(tmp_path / "f8.safetensors"))
    with pytest.raises(ub.CheckpointError, match="F8_E4M3 is not supported by unibridge"):
        ub.load(tmp_path / "f8.safetensors")


# -- memory mapping ----------------------------------------------------------------------------------

# Which backends keep a CPU tensor as a view of the mapped file: NumPy and torch always;
# TensorFlow and JAX only at 64-byte alignment (otherwise the engine copies it once).
SHARES_WHEN: dict[str, str] = {"numpy": "always", "torch": "always", "tensorflow": "aligned64", "jax": "aligned64"}


def test_a_cpu_load_is_a_view_of_the_mapped_file_where_the_backend_can_share(any_backend: str, tmp_path: Path) -> None:
    tree = {"aligned": np.arange(16, dtype=np.float32), "c64": np.ones(8, np.complex64),
            "odd": np.arange(3, dtype=np.float32), "bytes": np.arange(5, dtype=np.int8)}
    path = tmp_path / "map.safetensors"
    ub.save(tree, path)
    back = ub.load(path, backend=any_backend, device="cpu")
    shared = {name: in_mapping(x, path) for name, x in back.items()}
    if SHARES_WHEN[any_backend] == "always":
        assert shared == {name: True for name in tree}
    else:
        offsets = file_offsets(path)
        assert shared == {name: offsets[name] % 64 == 0 for name in tree}
        assert set(shared.values()) == {True, False}  # the layout leaves the 5 bytes misaligned
    for name, want in tree.items():
        assert host_bytes(back[name]) == want.tobytes()


def test_save_starts_every_tensor_of_a_64_byte_multiple_size_64_byte_aligned_and_the_rest_element_aligned(
    tmp_path: Path,
) -> None:
    # An order that would misalign most of them if written as given.
    tree = {"b1": np.zeros(5, np.int8), "f2": np.zeros(3, np.float16), "d": np.zeros(8, np.float64),
            "f": np.zeros(7, np.float32), "c": np.zeros(16, np.complex64), "e": np.zeros(32, np.float16),
            "i": np.zeros(3, np.int64)}
    path = tmp_path / "layout.safetensors"
    ub.save(tree, path)
    offsets = file_offsets(path)
    for name, a in tree.items():
        assert offsets[name] % a.dtype.itemsize == 0, name
        if a.nbytes % 64 == 0:
            assert offsets[name] % 64 == 0, name


def test_writing_into_a_loaded_array_never_changes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cow.safetensors"
    ub.save({"w": np.zeros(16)}, path)
    before = path.read_bytes()
    back = ub.load(path)
    back["w"][:] = 7.0
    assert path.read_bytes() == before
    np.testing.assert_array_equal(ub.load(path)["w"], np.zeros(16))


def test_saving_over_a_loaded_file_leaves_the_loaded_arrays_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "over.safetensors"
    ub.save({"w": np.full(1024, 1.0)}, path)
    first = ub.load(path)
    ub.save({"w": np.full(1024, 2.0)}, path)
    np.testing.assert_array_equal(first["w"], np.full(1024, 1.0))  # the old inode, still mapped
    np.testing.assert_array_equal(ub.load(path)["w"], np.full(1024, 2.0))


def test_a_file_that_is_not_64_byte_aligned_loads_onto_tensorflow_as_a_copy_it_can_compute_on(tmp_path: Path) -> None:
    require("tensorflow")
    save_file = safetensors_module("safetensors.numpy").save_file

    # 12 bytes first ("a" sorts before "b"): "b" starts 4 mod 64, which TensorFlow cannot share.
    values = np.arange(1024, dtype=np.float32)
    save_file({"a": np.zeros(3, np.float32), "b": values}, str(tmp_path / "m.safetensors"))
    assert file_offsets(tmp_path / "m.safetensors")["b"] % 64 != 0
    back = ub.load(tmp_path / "m.safetensors", backend="tensorflow")
    import tensorflow as tf

    assert float(tf.reduce_sum(tf.nn.relu(back["b"] + 1.0))) == float(values.sum() + 1024)
    assert not in_mapping(back["b"], tmp_path / "m.safetensors")


def handmade(path: Path, tensors: dict[str, tuple[str, list[int], bytes]], pad: int = 0) -> None:
    """A safetensors file written byte by byte: name -> (dtype, shape, raw bytes), in order."""
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    body = json.dumps(header).encode() + b" " * pad
    path.write_bytes(len(body).to_bytes(8, "little") + body + data)


def test_a_file_with_tensors_off_their_element_alignment_loads_correctly_on_every_backend(
    any_backend: str, tmp_path: Path
) -> None:
    values = np.arange(7, dtype="<f8")
    path = tmp_path / "odd.safetensors"
    handmade(path, {"byte": ("U8", [1], b"\x05"), "w": ("F64", [7], values.tobytes())})
    assert file_offsets(path)["w"] % 8 != 0
    back = ub.load(path, backend=any_backend)
    assert host_bytes(back["w"]) == values.tobytes() and host_bytes(back["byte"]) == b"\x05"
    xp = ub.namespace(any_backend)
    assert float(ub.to_numpy(xp.sum(back["w"] * 2.0))) == 42.0
    if any_backend != "numpy":  # NumPy computes on misaligned views; the others get an aligned copy
        assert not in_mapping(back["w"], path)


def test_load_puts_the_arrays_on_the_device_asked_for(any_backend: str, tmp_path: Path) -> None:
    path = tmp_path / "dev.safetensors"
    ub.save({"w": np.arange(4.0)}, path)
    assert ub.device_of(ub.load(path, backend=any_backend, device="cpu")["w"]) == "cpu"
    if not gpu_available(any_backend):
        pytest.skip(f"no GPU for {any_backend}")
    on_gpu = ub.load(path, backend=any_backend, device="gpu:0")["w"]
    assert ub.device_of(on_gpu) == "gpu:0" and host_bytes(on_gpu) == np.arange(4.0).tobytes()


def test_gpu_arrays_save_from_the_gpu_and_load_onto_another_frameworks_gpu_bit_exactly(tmp_path: Path) -> None:
    gpus = [b for b in ("torch", "jax", "tensorflow") if gpu_available(b)]
    if not gpus:
        pytest.skip("no framework here sees a GPU")
    tree = {name: random_bits(name, (33, 7), seed=i) for i, name in enumerate(STORABLE)}
    path = tmp_path / "gpu.safetensors"
    ub.save({k: ub.asarray(v, backend=gpus[0], device="gpu:0") for k, v in tree.items()}, path)
    for target in gpus:
        back = ub.load(path, backend=target, device="gpu:0")
        for name, want in tree.items():
            assert ub.device_of(back[name]) == "gpu:0", (target, name)
            assert ub.dtype_of(back[name]) == name and host_bytes(back[name]) == want.tobytes(), (target, name)


def test_a_dtype_the_target_backend_lacks_is_refused_naming_the_tensor_and_dtype(tmp_path: Path) -> None:
    require("strict")  # the Array API standard has no float16
    path = tmp_path / "half.safetensors"
    ub.save({"ok": np.zeros(2), "half": np.ones(2, np.float16)}, path)
    with pytest.raises(ub.UnsupportedInputError, match="tensor 'half': .*float16"):
        ub.load(path, backend="strict")


def test_load_uses_the_active_backend_by_default(tmp_path: Path) -> None:
    require("torch")
    path = tmp_path / "active.safetensors"
    ub.save({"w": np.arange(4.0)}, path)
    with ub.use("torch"):
        back = ub.load(path)
    assert type(back["w"]).__module__ == "torch"


# -- like= -------------------------------------------------------------------------------------------


def test_like_rebuilds_the_templates_own_container_types(tmp_path: Path) -> None:
    tree = {"p": Point(np.zeros(2), np.ones(2)), "step": 4, "od": collections.OrderedDict(a=np.zeros(1))}
    path = tmp_path / "like.safetensors"
    ub.save(tree, path)
    back = ub.load(path, like=tree)
    assert type(back["p"]) is Point and type(back["od"]) is collections.OrderedDict and back["step"] == 4
    np.testing.assert_array_equal(back["p"].y, np.ones(2))


def test_like_says_exactly_which_names_shapes_and_dtypes_differ(tmp_path: Path) -> None:
    path = tmp_path / "diff.safetensors"
    ub.save({"W": np.zeros((3, 4)), "b": np.zeros(4, np.float32), "old": np.zeros(1)}, path)
    template = {"W": np.zeros((4, 3)), "b": np.zeros(4, np.float64), "new": np.zeros(1)}
    with pytest.raises(ub.CheckpointError) as err:
        ub.load(path, like=template)
    message = str(err.value)
    for part in ("in the file but not the template: 'old'", "in the template but not the file: 'new'",
                 "'W' has shape (3, 4) in the file, (4, 3) in the template",
                 "'b' is float32 in the file, float64 in the template"):
        assert part in message, message
    assert "'W' is" not in message and "'b' has shape" not in message  # only what differs


def test_like_accepts_a_template_of_another_framework(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    path = tmp_path / "t.safetensors"
    ub.save({"W": np.zeros((2, 2), np.float32)}, path)
    back = ub.load(path, like={"W": torch.zeros(2, 2)}, backend="numpy")
    assert isinstance(back["W"], np.ndarray)


# -- atomic writes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed-temp", "named-temp"])
def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temporary_file(
    unnamed: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ckpt.safetensors"
    ub.save({"w": np.zeros(1000)}, path)
    before = path.read_bytes()
    real_write = _atomic._write_all
    calls = []

    def fail_on_second_piece(fd: int, data: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_write(fd, data)

    monkeypatch.setattr(_atomic, "_write_all", fail_on_second_piece)
    real_write_atomically = _atomic.write_atomically
    monkeypatch.setattr("unibridge.checkpoint._io.write_atomically",
                        lambda p, pieces: real_write_atomically(p, pieces, unnamed=unnamed))
    with pytest.raises(OSError, match="No space"):
        ub.save({"w": np.ones(1000), "v": np.ones(10)}, path)
    assert len(calls) == 2
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.safetensors"]


def test_a_system_that_cannot_name_an_unnamed_file_gets_a_named_temporary_file_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(fd: int, name: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(_atomic, "_name_unnamed", refuse)
    path = tmp_path / "ckpt.safetensors"
    ub.save({"w": np.arange(5.0)}, path)
    np.testing.assert_array_equal(ub.load(path)["w"], np.arange(5.0))
    assert sorted(os.listdir(tmp_path)) == ["ckpt.safetensors"]


def test_a_writer_killed_mid_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    if not getattr(os, "O_TMPFILE", 0) or _atomic._open_unnamed(str(tmp_path)) is None:
        pytest.skip("no unnamed temporary files (O_TMPFILE) here: a killed writer leaves its named temp file")
    path = tmp_path / "ckpt.safetensors"
    ub.save({"w": np.zeros(1000)}, path)
    before = path.read_bytes()
    child = textwrap.dedent(f"""
        import sys, time, numpy as np, unibridge as ub
        from unibridge.checkpoint import _atomic
        real = _atomic._write_all
        def slow(fd, data):
            real(fd, data)
            print("writing", flush=True)
            time.sleep(60)
        _atomic._write_all = slow
        ub.save({{"w": np.ones(1000)}}, {str(path)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.safetensors"]


def test_save_keeps_the_umask_permissions_of_a_new_file(tmp_path: Path) -> None:
    ub.save({"w": np.zeros(1)}, tmp_path / "p.safetensors")
    old = os.umask(0)
    os.umask(old)
    assert (tmp_path / "p.safetensors").stat().st_mode & 0o777 == 0o666 & ~old


# -- any tree ----------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=4) | st.integers(-5, 5)
_ARRAYS = st.builds(lambda name, shape, seed: random_bits(name, shape, seed), st.sampled_from(STORABLE),
                    st.lists(st.integers(0, 3), max_size=3).map(tuple), st.integers(0, 2**16))
_NUMBERS = st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
_TREES = st.recursive(
    _ARRAYS | _NUMBERS | st.none(),
    lambda kids: st.lists(kids, max_size=3) | st.lists(kids, max_size=3).map(tuple)
    | st.dictionaries(_KEYS, kids, max_size=3).filter(lambda d: len({str(k) for k in d}) == len(d))
    | st.tuples(kids, kids).map(lambda xy: Point(*xy)),
    max_leaves=10,
)


def assert_same_tree(got: Any, want: Any) -> None:
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == want.tobytes()
    elif isinstance(want, Point):
        assert type(got).__name__ == "Point" and got._fields == ("x", "y")
        for g, w in zip(got, want):
            assert_same_tree(g, w)
    elif isinstance(want, dict):
        assert type(got) is dict and list(got) == list(want)
        for k in want:
            assert_same_tree(got[k], want[k])
    elif isinstance(want, (list, tuple)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same_tree(g, w)
    else:
        assert type(got) is type(want) and got == want


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=_TREES)
def test_any_tree_of_arrays_and_numbers_comes_back_as_it_was_and_reads_the_same_in_safetensors(
    tree: Any, tmp_path_factory: Any
) -> None:
    load_file = safetensors_module("safetensors.numpy").load_file

    path = tmp_path_factory.mktemp("any") / "tree.safetensors"
    ub.save(tree, path)
    assert_same_tree(ub.load(path, backend="numpy"), tree)
    from unibridge.checkpoint._structure import describe

    theirs = load_file(str(path))
    leaves = describe(tree)[1]
    assert sorted(theirs) == sorted(name for name, _ in leaves)
    for name, leaf in leaves:
        assert theirs[name].tobytes() == np.asarray(leaf).tobytes(), name
