# The progress line ./faultline shows while Maven builds the distribution. Reads Maven's batch-mode log on
# standard input; prints "faultline: [n/N] module: what Maven does in it (k files downloaded, t s)", rewriting
# one line in place when tty=1 (standard error is a terminal), else a line each time the module changes.
# What Maven does: downloading (dependency descriptions or dependencies), compiling, copying resources,
# packaging, installing; the counter counts the files Maven reported downloaded.
function show(what) {
    srand(); now = srand()
    line = sprintf("faultline: %s%s: %s (%d files downloaded, %d s)", count, module, what, downloads,
        now - started)
    if (tty) { printf "\r\033[K%s", line } else if (module != shown) { print line; shown = module }
    fflush()
}
BEGIN { srand(); started = srand(); module = "Maven"; count = "" }
/ Downloading from / { show("downloading " ($NF ~ /\.pom$/ ? "dependency descriptions" : "dependencies")); next }
/ Downloaded from / { downloads++; next }
/^\[INFO\] Building .*\[[0-9]+\/[0-9]+\]$/ {
    count = $NF " "; name = $0
    sub(/^\[INFO\] Building /, "", name); sub(/ +[^ ]+ +\[[0-9]+\/[0-9]+\]$/, "", name)
    module = name; show("starting"); next
}
/^\[INFO\] --- / {
    goal = $3; sub(/^.*:/, "", goal)
    if (goal == "testCompile") what = "compiling its tests"
    else if (goal ~ /compile/) what = "compiling"
    else if (goal ~ /resources/) what = "copying resources"
    else if (goal ~ /^(bnd-process|jar|bnd-export|bnd-resolve)$/) what = "packaging (" goal ")"
    else if (goal ~ /^install/) what = "installing into the local Maven repository"
    else what = goal
    show(what); next
}
/^\[INFO\] BUILD SUCCESS/ { count = ""; module = "distribution"; show("built") }
END { if (tty) printf "\n" }
