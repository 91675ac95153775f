#!/usr/bin/env python3
"""Build the MediaPipe Tasks PoseLandmarker bundles shipped in ``models/``.

Produces ``pose_landmarker_lite.task`` and ``pose_landmarker_full.task`` from
the Apache-2.0 npm package ``@mediapipe/pose@0.5.1675469404``:

* ``pose_solution_packed_assets.data`` is exactly ``pose_detection.tflite``
  (checked by parsing ``pose_solution_packed_assets_loader.js``);
* ``pose_landmark_{lite,full}.tflite`` are the landmark models.

The Tasks API refuses float models without image-input NormalizationOptions
metadata, so TFLite model metadata (buffer named ``TFLITE_METADATA``) is added:
detector input normalised to [-1, 1] (mean 127.5, std 127.5), landmark input
to [0, 1] (mean 0, std 255). The metadata flatbuffers are written with the
schema modules shipped in the mediapipe wheel (``mediapipe/tasks/metadata/
*_py_generated.py``) plus ``flatbuffers``; they are loaded by file path so
mediapipe's native library is never initialised and mediapipe's Python
metadata writer (which needs a compiled module the wheel lacks) is not used.

Each ``.task`` is an uncompressed (ZIP_STORED) zip holding
``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``, written with
fixed timestamps/attributes, sorted entries and 64-byte aligned data, so the
output is byte-for-byte reproducible.

Usage::

    python models/build_models.py                     # runs `npm pack`
    python models/build_models.py --tarball mediapipe-pose-0.5.1675469404.tgz
    python models/build_models.py --check             # rebuild in a temp dir,
                                                      # compare with models/

Nothing here runs at app run time; the app only reads the built files.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

NPM_SPEC = "@mediapipe/pose@0.5.1675469404"
TARBALL_NAME = "mediapipe-pose-0.5.1675469404.tgz"
TARBALL_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"

DETECTOR_MEMBER = "package/pose_solution_packed_assets.data"
LOADER_MEMBER = "package/pose_solution_packed_assets_loader.js"
DETECTOR_PATH_IN_LOADER = "/third_party/mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARK_MEMBERS = {
    "lite": "package/pose_landmark_lite.tflite",
    "full": "package/pose_landmark_full.tflite",
}

# Names the Tasks API PoseLandmarker looks for inside a .task bundle.
BUNDLE_DETECTOR_NAME = "pose_detector.tflite"
BUNDLE_LANDMARKS_NAME = "pose_landmarks_detector.tflite"

METADATA_FIELD_NAME = "TFLITE_METADATA"  # what TFLite/MediaPipe look for
METADATA_FILE_IDENTIFIER = b"M001"
TFLITE_FILE_IDENTIFIER = b"TFL3"
# We only use fields from the first metadata schema release, so the minimum
# parser version (which mediapipe computes in a compiled helper) is 1.0.0.
MIN_PARSER_VERSION = "1.0.0"

ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_ALIGNMENT = 64
LICENSE = "Apache-2.0"
SOURCE_NOTE = f"Built from npm {NPM_SPEC} by formcheck models/build_models.py"


# --------------------------------------------------------------------------
# flatbuffer schema modules from the mediapipe wheel (no native import)
# --------------------------------------------------------------------------
def _load_schema_modules():
    spec = importlib.util.find_spec("mediapipe")  # does not import mediapipe
    if spec is None or spec.origin is None:
        sys.exit("mediapipe is not installed in this interpreter")
    base = Path(spec.origin).parent / "tasks" / "metadata"
    mods = []
    for name in ("schema_py_generated", "metadata_schema_py_generated"):
        mspec = importlib.util.spec_from_file_location(f"_formcheck_{name}", base / f"{name}.py")
        mod = importlib.util.module_from_spec(mspec)
        mspec.loader.exec_module(mod)
        mods.append(mod)
    return mods


_schema_fb, _metadata_fb = _load_schema_modules()
import flatbuffers  # noqa: E402  (dependency of mediapipe)


class _AlignedBuilder(flatbuffers.Builder):
    """Builder that 16-byte aligns byte vectors (tensor weight buffers).

    The TFLite schema declares ``Buffer.data`` with ``force_align: 16``, which
    the generated Python code ignores; honour it so weights stay aligned as in
    the converter's output.
    """

    def StartVector(self, elemSize, numElems, alignment=None):  # noqa: N802, N803
        if alignment is None:
            alignment = elemSize
        if elemSize == 1 and numElems >= 16:
            alignment = max(alignment, 16)
        return super().StartVector(elemSize, numElems, alignment)


# --------------------------------------------------------------------------
# source tarball
# --------------------------------------------------------------------------
def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def npm_pack(dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm not found; pass --tarball PATH to a downloaded " + TARBALL_NAME)
    subprocess.run([npm, "pack", NPM_SPEC, "--pack-destination", str(dest), "--loglevel=error"],
                   check=True, stdout=subprocess.DEVNULL)
    path = dest / TARBALL_NAME
    if not path.exists():
        sys.exit(f"npm pack did not produce {path}")
    return path


def read_sources(tarball: Path) -> dict[str, bytes]:
    with tarfile.open(tarball, "r:gz") as tf:
        def member(name: str) -> bytes:
            f = tf.extractfile(name)
            if f is None:
                raise ValueError(f"{name} missing from {tarball}")
            return f.read()

        pkg = json.loads(member("package/package.json"))
        if pkg.get("license") != LICENSE:
            raise ValueError(f"unexpected license {pkg.get('license')!r}")
        loader = member(LOADER_MEMBER).decode("utf-8")
        data = member(DETECTOR_MEMBER)
        out = {"detector": _detector_from_packed_assets(loader, data)}
        for variant, name in LANDMARK_MEMBERS.items():
            out[variant] = member(name)
    return out


def _detector_from_packed_assets(loader_js: str, data: bytes) -> bytes:
    """Return pose_detection.tflite, checking the loader's file table."""
    m = re.search(r'loadPackage\((\{"files":.*?\})\)', loader_js)
    if m is None:
        raise ValueError("file table not found in packed assets loader")
    table = json.loads(m.group(1))
    files = table["files"]
    if len(files) != 1 or files[0]["filename"] != DETECTOR_PATH_IN_LOADER:
        raise ValueError(f"unexpected packed asset list: {files}")
    start, end = files[0]["start"], files[0]["end"]
    if (start, end, table.get("remote_package_size")) != (0, len(data), len(data)):
        raise ValueError(f"packed asset does not span the data file: {table}")
    return data[start:end]


# --------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------
def build_metadata(*, name: str, description: str, mean: float, std: float,
                   value_min: float, value_max: float, output_names: list[str]) -> bytes:
    M = _metadata_fb
    image = M.ImagePropertiesT()
    image.colorSpace = M.ColorSpaceType.RGB
    content = M.ContentT()
    content.contentPropertiesType = M.ContentProperties.ImageProperties
    content.contentProperties = image

    norm = M.NormalizationOptionsT()
    norm.mean = [mean]
    norm.std = [std]
    unit = M.ProcessUnitT()
    unit.optionsType = M.ProcessUnitOptions.NormalizationOptions
    unit.options = norm

    stats = M.StatsT()
    stats.min = [value_min]
    stats.max = [value_max]

    inp = M.TensorMetadataT()
    inp.name = "image"
    inp.description = f"RGB image, normalized to [{value_min:g}, {value_max:g}]"
    inp.content = content
    inp.processUnits = [unit]
    inp.stats = stats

    outputs = []
    for out_name in output_names:
        t = M.TensorMetadataT()
        t.name = out_name
        outputs.append(t)

    sub = M.SubGraphMetadataT()
    sub.inputTensorMetadata = [inp]
    sub.outputTensorMetadata = outputs

    meta = M.ModelMetadataT()
    meta.name = name
    meta.description = description
    meta.author = "Google (MediaPipe); metadata added by formcheck"
    meta.license = LICENSE
    meta.subgraphMetadata = [sub]
    meta.minParserVersion = MIN_PARSER_VERSION

    b = flatbuffers.Builder(0)
    b.Finish(meta.Pack(b), METADATA_FILE_IDENTIFIER)
    return bytes(b.Output())


def _tensor_names(model, which: str) -> list[str]:
    g = model.Subgraphs(0)
    n, idx = (g.InputsLength(), g.Inputs) if which == "in" else (g.OutputsLength(), g.Outputs)
    return [g.Tensors(idx(i)).Name().decode() for i in range(n)]


def add_metadata(model_buf: bytes, metadata_buf: bytes) -> bytes:
    """Attach metadata the way MediaPipe's MetadataPopulator does.

    The metadata flatbuffer goes into a new model buffer, referenced from the
    model's ``metadata`` list under the name ``TFLITE_METADATA``.
    """
    S = _schema_fb
    if not S.Model.ModelBufferHasIdentifier(model_buf, 0):
        raise ValueError("not a TFLite flatbuffer")
    model_t = S.ModelT.InitFromObj(S.Model.GetRootAsModel(model_buf, 0))
    if len(model_t.subgraphs) != 1:
        raise ValueError("expected one subgraph")
    for meta in model_t.metadata or []:
        if meta.name.decode() == METADATA_FIELD_NAME:
            raise ValueError("model already has TFLITE_METADATA")

    buf = S.BufferT()
    buf.data = list(metadata_buf)
    model_t.buffers.append(buf)
    entry = S.MetadataT()
    entry.name = METADATA_FIELD_NAME
    entry.buffer = len(model_t.buffers) - 1
    model_t.metadata = (model_t.metadata or []) + [entry]

    b = _AlignedBuilder(0)
    b.Finish(model_t.Pack(b), TFLITE_FILE_IDENTIFIER)
    out = bytes(b.Output())
    _check_roundtrip(model_buf, out, metadata_buf)
    return out


def _check_roundtrip(orig: bytes, new: bytes, metadata_buf: bytes) -> None:
    """The repacked model must equal the original plus the metadata entry."""
    S = _schema_fb
    a = S.ModelT.InitFromObj(S.Model.GetRootAsModel(orig, 0))
    b = S.ModelT.InitFromObj(S.Model.GetRootAsModel(new, 0))
    last = b.metadata.pop()
    extra = b.buffers.pop()
    if last.name.decode() != METADATA_FIELD_NAME or bytes(extra.data) != metadata_buf:
        raise AssertionError("metadata entry not attached as expected")
    _deep_equal(a, b, "model")
    # And the metadata must be readable back.
    model = S.Model.GetRootAsModel(new, 0)
    found = [model.Metadata(i) for i in range(model.MetadataLength())
             if model.Metadata(i).Name().decode() == METADATA_FIELD_NAME]
    data = model.Buffers(found[0].Buffer()).DataAsNumpy().tobytes()
    mm = _metadata_fb.ModelMetadata.GetRootAsModelMetadata(data, 0)
    assert _metadata_fb.ModelMetadata.ModelMetadataBufferHasIdentifier(data, 0)
    sub = mm.SubgraphMetadata(0)
    g = model.Subgraphs(0)
    assert sub.InputTensorMetadataLength() == g.InputsLength()
    assert sub.OutputTensorMetadataLength() == g.OutputsLength()


def _deep_equal(x, y, path: str) -> None:
    import numpy as np

    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        if not np.array_equal(np.asarray(x), np.asarray(y)):
            raise AssertionError(f"round-trip mismatch at {path}")
    elif isinstance(x, (list, tuple)):
        if not isinstance(y, (list, tuple)) or len(x) != len(y):
            raise AssertionError(f"round-trip length mismatch at {path}")
        for i, (u, v) in enumerate(zip(x, y)):
            _deep_equal(u, v, f"{path}[{i}]")
    elif hasattr(x, "__dict__"):
        if type(x) is not type(y):
            raise AssertionError(f"round-trip type mismatch at {path}")
        for k in x.__dict__:
            _deep_equal(x.__dict__[k], y.__dict__[k], f"{path}.{k}")
    elif x != y:
        raise AssertionError(f"round-trip mismatch at {path}: {x!r} != {y!r}")


def detector_with_metadata(model_buf: bytes) -> bytes:
    model = _schema_fb.Model.GetRootAsModel(model_buf, 0)
    meta = build_metadata(
        name="pose_detector",
        description=("BlazePose person detector (pose_detection.tflite, 224x224 RGB input). "
                     + SOURCE_NOTE),
        mean=127.5, std=127.5, value_min=-1.0, value_max=1.0,
        output_names=_tensor_names(model, "out"))
    return add_metadata(model_buf, meta)


def landmarks_with_metadata(model_buf: bytes, variant: str) -> bytes:
    model = _schema_fb.Model.GetRootAsModel(model_buf, 0)
    meta = build_metadata(
        name=f"pose_landmarks_detector_{variant}",
        description=(f"BlazePose GHUM 3D landmark model, {variant} "
                     f"(pose_landmark_{variant}.tflite, 256x256 RGB input). " + SOURCE_NOTE),
        mean=0.0, std=255.0, value_min=0.0, value_max=1.0,
        output_names=_tensor_names(model, "out"))
    return add_metadata(model_buf, meta)


# --------------------------------------------------------------------------
# deterministic .task bundle
# --------------------------------------------------------------------------
def write_bundle(path: Path, files: dict[str, bytes]) -> None:
    """Write an uncompressed zip with fixed metadata and aligned file data.

    Alignment is done as MediaPipe's own model_asset_bundle_utils does it:
    zero padding before each local header (the central directory records the
    real offsets), so readers find each entry normally.
    """
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as raw:
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED, allowZip64=False) as zf:
            for name in sorted(files):
                data = files[name]
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
                info.compress_type = zipfile.ZIP_STORED
                info.create_system = 3
                info.external_attr = 0o644 << 16
                header_len = 30 + len(name.encode("ascii"))  # local header, no extra
                offset = raw.tell()
                pad = (-(offset + header_len)) % ZIP_ALIGNMENT
                raw.write(b"\0" * pad)
                zf.start_dir = raw.tell()  # next local header goes here
                zf.writestr(info, data)
    # Verify: stored, aligned, intact.
    with zipfile.ZipFile(tmp) as zf:
        assert zf.namelist() == sorted(files)
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            data_off = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            assert data_off % ZIP_ALIGNMENT == 0, (info.filename, data_off)
            assert zf.read(info) == files[info.filename]
        assert zf.testzip() is None
    os.replace(tmp, path)


def build(tarball: Path, out_dir: Path) -> dict[str, str]:
    tar_sha = sha256_file(tarball)
    if tar_sha != TARBALL_SHA256:
        sys.exit(f"{tarball}: sha256 {tar_sha} != expected {TARBALL_SHA256}")
    src = read_sources(tarball)
    detector = detector_with_metadata(src["detector"])
    out_dir.mkdir(parents=True, exist_ok=True)
    hashes = {"source tarball " + TARBALL_NAME: tar_sha,
              "pose_detection.tflite (source)": sha256_bytes(src["detector"]),
              "pose_detector.tflite (with metadata)": sha256_bytes(detector)}
    for variant in ("lite", "full"):
        landmarks = landmarks_with_metadata(src[variant], variant)
        hashes[f"pose_landmark_{variant}.tflite (source)"] = sha256_bytes(src[variant])
        hashes[f"pose_landmarks_detector.tflite {variant} (with metadata)"] = sha256_bytes(landmarks)
        out = out_dir / f"pose_landmarker_{variant}.task"
        write_bundle(out, {BUNDLE_DETECTOR_NAME: detector, BUNDLE_LANDMARKS_NAME: landmarks})
        hashes[out.name] = sha256_file(out)
    return hashes


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarball", type=Path,
                    help=f"path to {TARBALL_NAME} (default: run `npm pack {NPM_SPEC}`)")
    ap.add_argument("--out-dir", type=Path, default=here,
                    help="where to write the .task files (default: this folder)")
    ap.add_argument("--check", action="store_true",
                    help="build into a temp dir and compare with the files in --out-dir")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or npm_pack(Path(tmp))
        target = Path(tmp) / "out" if args.check else args.out_dir
        hashes = build(tarball, target)
        for k, v in hashes.items():
            print(f"{v}  {k}")
        if args.check:
            bad = [n for n in ("pose_landmarker_lite.task", "pose_landmarker_full.task")
                   if not (args.out_dir / n).exists()
                   or sha256_file(args.out_dir / n) != hashes[n]]
            if bad:
                print("MISMATCH: " + ", ".join(bad), file=sys.stderr)
                return 1
            print("check OK: committed .task files match a fresh build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
