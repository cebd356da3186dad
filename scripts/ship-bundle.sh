#!/usr/bin/env bash
# Replaces the model bundle shipped in the repository (the services' default model while no bundle is promoted in
# their model repository) with the bundle directory BUNDLE_DIR, e.g. one exported by the trainer:
#
#   ./scripts/ship-bundle.sh path/to/models/<bundle-id>
#
# BUNDLE_DIR must hold a manifest.json; every file its "files" list names is copied (plus the manifest) into
# libs/serving-runtime/src/main/resources/dev/stackgan/serving/default-bundle/, and the index
# default-bundle.index beside it is rewritten with the bundle id and the file names. The old bundle's files are
# removed. The services verify the bundle's checksums when they load it; rebuild them to ship it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
resources=$root/libs/serving-runtime/src/main/resources/dev/stackgan/serving
target=$resources/default-bundle
index=$resources/default-bundle.index

fail() { echo "[ship-bundle] ERROR: $*" >&2; exit 1; }

[ $# -eq 1 ] || fail "usage: $0 BUNDLE_DIR (a bundle directory holding manifest.json)"
source=${1%/}
[ -d "$source" ] || fail "$source is not a directory"
[ -f "$source/manifest.json" ] || fail "$source has no manifest.json: not a model bundle directory"
command -v python3 >/dev/null || fail "python3 not found on PATH (it reads manifest.json)"

# bundle id and file names from the manifest, each checked to be a plain name (as BundleReader requires)
mapfile -t fields < <(python3 - "$source/manifest.json" <<'EOF'
import json, re, sys
manifest = json.load(open(sys.argv[1], encoding="utf-8"))
safe = re.compile(r"[A-Za-z0-9._-]{1,128}")
names = [manifest.get("bundleId", "")] + [entry.get("file", "") for entry in manifest.get("files", [])]
for name in names:
    if not safe.fullmatch(name) or name in (".", ".."):
        sys.exit(f"manifest.json names '{name}', not a plain bundle id or file name")
if len(names) < 2:
    sys.exit("manifest.json lists no files")
print("\n".join(names))
EOF
) || fail "cannot use $source/manifest.json"
bundle_id=${fields[0]}
files=("manifest.json" "${fields[@]:1}")
for file in "${files[@]}"; do
  [ -f "$source/$file" ] || fail "$source/$file is listed in manifest.json but missing"
done

mkdir -p "$resources"
staging=$(mktemp -d "$resources/.default-bundle.XXXXXX")
trap 'rm -rf "$staging"' EXIT
for file in "${files[@]}"; do
  cp "$source/$file" "$staging/$file"
done
{
  echo "# The model bundle shipped in the jar (files in default-bundle/); written by scripts/ship-bundle.sh."
  echo "bundle-id $bundle_id"
  for file in "${files[@]}"; do
    echo "file $file"
  done
} >"$staging/.index"

rm -rf "$target"
mv "$staging/.index" "$index"
mv "$staging" "$target"
chmod 755 "$target"
trap - EXIT

echo "[ship-bundle] shipped bundle $bundle_id (${#files[@]} files, $(du -sh "$target" | cut -f1)) in $target"
echo "[ship-bundle] rebuild the model services to serve it; commit $target and $index"
