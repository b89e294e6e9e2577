#!/usr/bin/env bash
# Idempotent set-up helpers shared by scripts/run, scripts/test and scripts/bench.
# Each `need_*` function checks first and installs only what is missing, printing progress.
# Versions are pinned here and must agree with Cargo.lock and Trunk.toml.
set -euo pipefail

TRUNK_VERSION_REQ='~0.21'
WASM_BINDGEN_VERSION='0.2.130'   # must equal the wasm-bindgen crate in Cargo.lock and Trunk.toml
BINARYEN_VERSION='123.0.0'       # wasm-opt "version_123" in Trunk.toml
AXE_CORE_VERSION='4.14.1'        # the accessibility engine the browser tests run
PARLEY_TOOLS="${PARLEY_TOOLS:-$HOME/.cache/parley/tools}"

export PATH="$HOME/.cargo/bin:$PARLEY_TOOLS/node_modules/.bin:$PATH"

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

need_rust() {
  command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first (https://rustup.rs)" >&2; exit 1; }
}

need_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

need_trunk() {
  if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
    step "installing trunk $TRUNK_VERSION_REQ (cargo install, about 6 minutes on 2 cores)"
    cargo install trunk --version "$TRUNK_VERSION_REQ" --locked
  fi
}

need_wasm_bindgen() {
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (cargo install, about 3 minutes)"
    # No --locked: its lock file names a webpki-roots version this registry lacks.
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
  fi
}

need_npm() {
  command -v npm >/dev/null && return
  step "installing Node.js and npm (apt)"
  as_root apt-get install -y nodejs npm || { as_root apt-get update && as_root apt-get install -y nodejs npm; }
}

need_wasm_opt() {
  if ! wasm-opt --version 2>/dev/null | grep -q 'version 123'; then
    need_npm
    step "installing wasm-opt (binaryen@$BINARYEN_VERSION from npm) into $PARLEY_TOOLS"
    mkdir -p "$PARLEY_TOOLS"
    npm install --prefix "$PARLEY_TOOLS" --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
  fi
}

need_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    step "installing Debian's chromium and chromium-driver (apt, about 30 seconds)"
    as_root apt-get install -y chromium chromium-driver \
      || { as_root apt-get update && as_root apt-get install -y chromium chromium-driver; }
  fi
}

# axe-core (the engine behind Lighthouse's accessibility audit), injected into pages by the
# browser tests: PARLEY_AXE_JS names its script.
need_axe_core() {
  local js="$PARLEY_TOOLS/node_modules/axe-core/axe.min.js"
  if ! grep -qs "axe v$AXE_CORE_VERSION" "$js"; then
    need_npm
    step "installing axe-core@$AXE_CORE_VERSION from npm into $PARLEY_TOOLS"
    mkdir -p "$PARLEY_TOOLS"
    npm install --prefix "$PARLEY_TOOLS" --no-audit --no-fund "axe-core@$AXE_CORE_VERSION"
  fi
  export PARLEY_AXE_JS="$js"
}

# nats-server, which the cluster tests start (and stop) on a port of their own to take the
# broker away in mid-traffic; the machine's own broker is never touched.
need_nats_server() {
  if ! command -v nats-server >/dev/null; then
    step "installing Debian's nats-server (apt)"
    as_root apt-get install -y nats-server \
      || { as_root apt-get update && as_root apt-get install -y nats-server; }
  fi
}

need_frontend_tools() {
  need_rust
  need_wasm_target
  need_wasm_bindgen
  need_wasm_opt
  need_trunk
}

# Builds the release SPA into dist/ (trunk, wasm-opt on).
build_spa() {
  step "building the SPA (trunk build --release)"
  trunk build --release
  step "precompressing the SPA (brotli and gzip copies beside each file)"
  node scripts/precompress.mjs dist
}

# Reports the release SPA's size (wasm + js, gzipped) and fails above the budget.
SPA_BUDGET_BYTES=275000
check_spa_size() {
  local total=0 f n
  for f in dist/*.wasm dist/*.js; do
    n=$(gzip -9 -c "$f" | wc -c)
    printf '    %-48s %8d bytes gzipped\n' "$(basename "$f")" "$n" >&2
    total=$((total + n))
  done
  printf '    SPA total (wasm + js, gzipped): %d bytes; budget %d\n' "$total" "$SPA_BUDGET_BYTES" >&2
  if [ "$total" -gt "$SPA_BUDGET_BYTES" ]; then
    echo "error: the SPA is over its size budget" >&2
    return 1
  fi
}

need_cargo_fuzz() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    step "installing cargo-fuzz (cargo install, about 2 minutes)"
    cargo install cargo-fuzz --locked
  fi
}

# Runs the client-frame fuzz target for $1 seconds. cargo-fuzz needs nightly flags; stable
# Rust accepts them with RUSTC_BOOTSTRAP=1. No sanitizer: the code under test has no
# `unsafe`, and libFuzzer still finds panics, hangs and runaway memory.
run_fuzz() {
  local seconds="$1"
  need_cargo_fuzz
  step "fuzzing client frames for ${seconds}s (cargo fuzz run client_frames)"
  mkdir -p fuzz/corpus/client_frames
  # Its own target directory: the fuzzing flags would otherwise invalidate the main build.
  local target_dir="${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR-fuzz}"
  (cd fuzz && CARGO_TARGET_DIR="${target_dir:-target}" RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none client_frames corpus/client_frames seeds -- \
     -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1)
}
