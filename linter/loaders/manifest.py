"""`.terraform/modules/modules.json`: where `terraform init` put the modules it downloaded.

Terraform writes one entry per module call, keyed by the call's path from the root without
instance keys (`net`, `net.subnets`), with the directory, relative to the root, that holds the
module's files. Registry and git modules are read from there; nothing is ever downloaded.
"""
from __future__ import annotations

import json
import os

from ..model import InputError
from ..records import field, record
from .sources import read_text

MANIFEST = os.path.join(".terraform", "modules", "modules.json")


@record
class ModuleManifest:
    root: str
    path: str | None = None
    """The manifest file, or None when the root was never initialised."""
    dirs: dict[str, str] = field(default_factory=dict)
    """Module key -> directory (absolute, not yet checked against the boundary)."""
    sources: dict[str, str] = field(default_factory=dict)
    error: InputError | None = None

    def directory(self, key: str, source: str) -> str | None:
        """The directory of the module called at `key` from `source`, if `terraform init` recorded it.

        A manifest entry whose source differs from the configuration's is stale (the source was
        edited after `init`): Terraform itself refuses to run until `init` is repeated.
        """
        if key not in self.dirs:
            return None
        recorded = self.sources.get(key, "")
        if recorded and not _same_source(recorded, source):
            return None
        return self.dirs[key]


def _same_source(recorded: str, configured: str) -> bool:
    """Terraform records registry sources with their host (`registry.terraform.io/ns/name/p`)."""
    if recorded == configured:
        return True
    return recorded.endswith("/" + configured) and recorded.count("/") == configured.count("/") + 1


def read_manifest(root: str, shown_root: str) -> ModuleManifest:
    manifest = ModuleManifest(root)
    path = os.path.join(root, MANIFEST)
    if not os.path.lexists(path):
        return manifest
    manifest.path = path
    shown = f"{shown_root.rstrip('/')}/{MANIFEST}".replace(os.sep, "/") if shown_root != "." else MANIFEST
    text = read_text(path)
    if isinstance(text, InputError):
        text.source = shown
        manifest.error = text
        return manifest
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        manifest.error = InputError(shown, f"invalid module manifest (run terraform init again): {str(exc)[:120]}")
        return manifest
    entries = doc.get("Modules") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        manifest.error = InputError(shown, "invalid module manifest: no \"Modules\" list (run terraform init again)")
        return manifest
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        key, directory, source = entry.get("Key"), entry.get("Dir"), entry.get("Source")
        if not isinstance(key, str) or not key or not isinstance(directory, str) or "\x00" in directory:
            continue
        manifest.dirs[key] = os.path.normpath(os.path.join(root, directory))
        if isinstance(source, str):
            manifest.sources[key] = source
    return manifest
