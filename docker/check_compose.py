#!/usr/bin/env python3
"""Static checks of docker-compose.yml and docker-compose.application.yml (no Docker engine needed).

Run by check-compose.sh. Parses the files with PyYAML when it is installed and always with the small
YAML-subset parser below (block mappings and sequences, quoted and plain scalars, flow sequences,
literal and folded block scalars); when both are available, their results must be equal. Then checks
what the psyberg setup relies on: the services, the Flink 1.18.1 image, the SQL connector jar mount
(its file name following the project version in pom.xml), the shared warehouse volume at the same path
in every container, and FLINK_PROPERTIES (JobManager address, slots, psyberg.catalog.warehouse).

Usage: check_compose.py [--self-test] [--no-pyyaml]
Exit code 0 when every check passes, 1 otherwise (each failure is printed).
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PROMETHEUS_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
IMAGE = "flink:1.18.1-scala_2.12-java17"
FLINK_SERVICES = ("jobmanager", "taskmanager", "sql-client")
WAREHOUSE_VOLUME = "warehouse"
WAREHOUSE_PATH = "/warehouse"
MAIN_CLASS = "io.psyberg.flink.examples.PsybergCli"


# --------------------------------------------------------------------------------------------------
# A small YAML-subset parser (enough for compose files written in block style).
# --------------------------------------------------------------------------------------------------
class YamlError(Exception):
    pass


_BOOL_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}
_BOOL_FALSE = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}
_NULL = {"", "~", "null", "Null", "NULL"}
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?$")


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _find_outside_quotes(text, predicate):
    """Index of the first position where predicate(text, i) holds outside quotes, or -1."""
    quote = None
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                if quote == "'" and i + 1 < len(text) and text[i + 1] == "'":
                    i += 1
                elif not (quote == '"' and i > 0 and text[i - 1] == "\\"):
                    quote = None
        elif c in "'\"" and (i == 0 or text[i - 1] in " [,"):
            quote = c
        elif predicate(text, i):
            return i
        i += 1
    return -1


def _strip_comment(text):
    i = _find_outside_quotes(text, lambda t, j: t[j] == "#" and (j == 0 or t[j - 1] in " \t"))
    return (text if i < 0 else text[:i]).rstrip()


def _split_key(content):
    """'key: value' -> (key, value); None when content is not a mapping entry."""
    i = _find_outside_quotes(
        content, lambda t, j: t[j] == ":" and (j + 1 == len(t) or t[j + 1] == " "))
    if i <= 0:
        return None
    key = content[:i].strip()
    if key.startswith("[") or key.startswith("{"):
        return None
    return _scalar(key), content[i + 1:].strip()


def _scalar(text):
    text = text.strip()
    if text.startswith('"'):
        if not text.endswith('"') or len(text) < 2:
            raise YamlError("unterminated double-quoted scalar: " + text)
        return json.loads(text)
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            raise YamlError("unterminated single-quoted scalar: " + text)
        return text[1:-1].replace("''", "'")
    if text.startswith("["):
        if not text.endswith("]"):
            raise YamlError("unterminated flow sequence: " + text)
        inner = text[1:-1].strip()
        items = []
        while inner:
            j = _find_outside_quotes(inner, lambda t, k: t[k] == ",")
            part, inner = (inner, "") if j < 0 else (inner[:j], inner[j + 1:].strip())
            items.append(_scalar(part))
        return items
    if text.startswith("{") or text.startswith("&") or text.startswith("*") or text.startswith("!"):
        raise YamlError("unsupported YAML (flow mapping, anchor, alias or tag): " + text)
    if text in _NULL:
        return None
    if text in _BOOL_TRUE:
        return True
    if text in _BOOL_FALSE:
        return False
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _FLOAT.match(text) and any(ch.isdigit() for ch in text):
        return float(text.replace("_", ""))
    if re.match(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+$", text):
        raise YamlError("unquoted sexagesimal-looking scalar (quote it): " + text)
    return text


class MiniYaml:
    def __init__(self, text):
        self.lines = text.replace("\t", "    ").split("\n")
        self.i = 0

    def parse(self):
        self._skip_blank()
        if self.i >= len(self.lines):
            return None
        node = self._block(_indent(self.lines[self.i]))
        self._skip_blank()
        if self.i < len(self.lines):
            raise YamlError("unexpected content at line %d: %r" % (self.i + 1, self.lines[self.i]))
        return node

    def _skip_blank(self):
        while self.i < len(self.lines):
            s = self.lines[self.i].strip()
            if s and not s.startswith("#"):
                if s == "---" and self.i == 0:
                    self.i += 1
                    continue
                return
            self.i += 1

    def _is_seq_item(self, content):
        return content == "-" or content.startswith("- ")

    def _block(self, ind):
        content = _strip_comment(self.lines[self.i][ind:])
        return self._seq(ind) if self._is_seq_item(content) else self._map(ind)

    def _map(self, ind):
        result = {}
        while True:
            self._skip_blank()
            if self.i >= len(self.lines):
                return result
            line = self.lines[self.i]
            cur = _indent(line)
            if cur < ind:
                return result
            if cur > ind:
                raise YamlError("line %d: unexpected indentation" % (self.i + 1))
            content = _strip_comment(line[ind:])
            if self._is_seq_item(content):
                return result
            kv = _split_key(content)
            if kv is None:
                raise YamlError("line %d: expected 'key: value', got %r" % (self.i + 1, content))
            key, rest = kv
            if key in result:
                raise YamlError("line %d: duplicate key %r" % (self.i + 1, key))
            self.i += 1
            result[key] = self._value(rest, ind, allow_same_indent_seq=True)

    def _value(self, rest, ind, allow_same_indent_seq):
        if rest == "":
            self._skip_blank()
            if self.i < len(self.lines):
                nxt = _indent(self.lines[self.i])
                if nxt > ind:
                    return self._block(nxt)
                content = _strip_comment(self.lines[self.i][ind:])
                if allow_same_indent_seq and nxt == ind and self._is_seq_item(content):
                    return self._seq(ind)
            return None
        if rest[0] in "|>":
            return self._block_scalar(rest, ind)
        return _scalar(rest)

    def _seq(self, ind):
        result = []
        while True:
            self._skip_blank()
            if self.i >= len(self.lines):
                return result
            line = self.lines[self.i]
            cur = _indent(line)
            if cur < ind:
                return result
            if cur > ind:
                raise YamlError("line %d: unexpected indentation in a sequence" % (self.i + 1))
            content = _strip_comment(line[ind:])
            if not self._is_seq_item(content):
                return result
            item = content[1:].lstrip(" ")
            if item == "":
                self.i += 1
                result.append(self._value("", ind, allow_same_indent_seq=False))
            elif _split_key(item) is not None and not item.startswith("["):
                # A mapping that starts on the dash line: parse it at the item's column.
                col = ind + (len(content) - len(item))
                self.lines[self.i] = " " * col + item
                result.append(self._map(col))
            elif item[0] in "|>":
                self.i += 1
                result.append(self._block_scalar(item, ind))
            else:
                self.i += 1
                result.append(_scalar(item))

    def _block_scalar(self, header, ind):
        """The block scalar whose header ('|', '|-', '>', '>-') ended the previous line."""
        style, chomp = header[0], header[1:].strip()
        if chomp not in ("", "-"):
            raise YamlError("line %d: unsupported block scalar header %r" % (self.i, header))
        raw = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip() and _indent(line) <= ind:
                break
            raw.append(line)
            self.i += 1
        while raw and not raw[-1].strip():
            raw.pop()
        if not raw:
            return ""
        block_ind = min(_indent(l) for l in raw if l.strip())
        lines = [l[block_ind:] if l.strip() else "" for l in raw]
        if style == "|":
            text = "\n".join(lines)
        else:
            text, pending_break = "", False
            for l in lines:
                if l == "":
                    text += "\n"
                    pending_break = True
                elif text and not pending_break:
                    text += " " + l
                else:
                    text += l
                    pending_break = False
        return text if chomp == "-" else text + "\n"


def _first_difference(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return "%s.%s: only in %s" % (path, k, "PyYAML" if k in a else "built-in parser")
            if a[k] != b[k]:
                return _first_difference(a[k], b[k], "%s.%s" % (path, k))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, "%s[%d]" % (path, i))
    return "%s: PyYAML %r, built-in parser %r" % (path, a, b)


def parse_yaml(path, use_pyyaml=True):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    mini = MiniYaml(text).parse()
    if use_pyyaml:
        try:
            import yaml  # noqa: PLC0415
        except ImportError:
            return mini, "mini parser only (PyYAML not installed)"
        full = yaml.safe_load(text)
        if full != mini:
            raise YamlError("%s: the built-in parser disagrees with PyYAML at %s"
                            % (path, _first_difference(full, mini)))
        return full, "PyYAML %s, and the built-in parser agrees" % yaml.__version__
    return mini, "mini parser only"


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------
class Checker:
    def __init__(self, compose_dir):
        self.compose_dir = compose_dir
        self.failures = []
        self.passed = 0

    def check(self, condition, message):
        if condition:
            self.passed += 1
        else:
            self.failures.append(message)
        return condition

    def project_version(self):
        root = ET.parse(os.path.join(REPO, "pom.xml")).getroot()
        ns = {"m": "http://maven.apache.org/POM/4.0.0"}
        return root.find("m:version", ns).text.strip()

    @staticmethod
    def flink_properties(service):
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) for e in env if "=" in e)
        text = env.get("FLINK_PROPERTIES")
        if text is None:
            return None
        props = {}
        for line in str(text).splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if ": " not in line:
                props.setdefault("__invalid__", []).append(line)
                continue
            k, v = line.split(": ", 1)
            props[k.strip()] = v.strip()
        return props

    def mounts(self, service):
        out = []
        for v in service.get("volumes") or []:
            if isinstance(v, str):
                parts = v.split(":")
                source, target = parts[0], parts[1] if len(parts) > 1 else parts[0]
                kind = "bind" if source.startswith((".", "/", "~")) else "volume"
                out.append({"type": kind, "source": source, "target": target,
                            "read_only": len(parts) > 2 and "ro" in parts[2].split(",")})
            else:
                out.append(v)
        return out

    def resolve(self, source):
        return os.path.normpath(os.path.join(self.compose_dir, source))

    def check_main(self, compose):
        services = compose.get("services") or {}
        version = self.project_version()
        jar_name = "psyberg-flink-sql-connector-%s.jar" % version
        jar_path = os.path.join(REPO, "sql-connector", "target", jar_name)
        examples_jar = os.path.join(REPO, "examples", "target", "psyberg-examples.jar")

        for name in FLINK_SERVICES:
            self.check(name in services, "service '%s' is missing" % name)
        self.check(WAREHOUSE_VOLUME in (compose.get("volumes") or {}),
                   "top-level volume '%s' is missing" % WAREHOUSE_VOLUME)

        for name, svc in services.items():
            svc = svc or {}
            image = svc.get("image", "")
            self.check(image == IMAGE, "service '%s': image is %r, expected %r" % (name, image, IMAGE))
            self.check(":1.18.1-" in image and image.startswith("flink:"),
                       "service '%s': image %r is not Flink 1.18.1" % (name, image))

        jm = services.get("jobmanager") or {}
        tm = services.get("taskmanager") or {}
        sc = services.get("sql-client") or {}
        self.check(str(jm.get("command", "")).split()[:1] == ["jobmanager"],
                   "jobmanager: command must be 'jobmanager', got %r" % jm.get("command"))
        self.check(str(tm.get("command", "")).split()[:1] == ["taskmanager"],
                   "taskmanager: command must be 'taskmanager', got %r" % tm.get("command"))
        self.check("sql-client.sh" in str(sc.get("command", "")),
                   "sql-client: command must run bin/sql-client.sh, got %r" % sc.get("command"))
        ports = [str(p) for p in jm.get("ports") or []]
        self.check(any(p.split(":")[-1] == "8081" for p in ports),
                   "jobmanager: the REST port 8081 is not published (ports: %r)" % ports)

        for name in FLINK_SERVICES:
            svc = services.get(name) or {}
            mounts = self.mounts(svc)
            # The SQL connector jar in /opt/flink/lib/.
            jars = [m for m in mounts if m.get("type") == "bind"
                    and os.path.basename(str(m.get("source", ""))).startswith("psyberg-flink-sql-connector")]
            if self.check(len(jars) == 1, "%s: expected one bind mount of the SQL connector jar, found %d"
                          % (name, len(jars))):
                m = jars[0]
                self.check(self.resolve(m["source"]) == jar_path,
                           "%s: SQL connector jar source %r resolves to %s, expected %s (project version %s)"
                           % (name, m["source"], self.resolve(m["source"]), jar_path, version))
                self.check(os.path.dirname(str(m.get("target", ""))) == "/opt/flink/lib"
                           and str(m.get("target", "")).endswith(".jar"),
                           "%s: SQL connector jar target %r is not a jar in /opt/flink/lib/"
                           % (name, m.get("target")))
                self.check(m.get("read_only") is True, "%s: mount the SQL connector jar read-only" % name)
                self.check((m.get("bind") or {}).get("create_host_path") is False,
                           "%s: set bind.create_host_path: false on the jar mount (else Docker creates a"
                           " folder when the jar is not built)" % name)
            # The warehouse volume, same path everywhere.
            wh = [m for m in mounts if m.get("type") == "volume" and m.get("source") == WAREHOUSE_VOLUME]
            self.check(len(wh) == 1 and wh[0].get("target") == WAREHOUSE_PATH,
                       "%s: the volume '%s' must be mounted at %s (found %r)"
                       % (name, WAREHOUSE_VOLUME, WAREHOUSE_PATH, [m.get("target") for m in wh]))
            # Every bind source other than the built jars exists.
            for m in mounts:
                if m.get("type") == "bind":
                    path = self.resolve(m["source"])
                    if path not in (jar_path, examples_jar):
                        self.check(os.path.exists(path), "%s: bind source %s does not exist" % (name, path))
                    elif path == examples_jar:
                        self.check(os.path.dirname(str(m.get("target"))) in ("/opt/psyberg", "/opt/flink/usrlib"),
                                   "%s: examples jar mounted at unexpected %r" % (name, m.get("target")))
            # FLINK_PROPERTIES.
            props = self.flink_properties(svc)
            if not self.check(props is not None, "%s: FLINK_PROPERTIES is missing" % name):
                continue
            self.check("__invalid__" not in props,
                       "%s: FLINK_PROPERTIES lines without 'key: value': %r" % (name, props.get("__invalid__")))
            self.check(props.get("jobmanager.rpc.address") == "jobmanager",
                       "%s: FLINK_PROPERTIES jobmanager.rpc.address must be 'jobmanager', got %r"
                       % (name, props.get("jobmanager.rpc.address")))
            self.check(props.get("psyberg.catalog.warehouse") == "file://" + WAREHOUSE_PATH,
                       "%s: FLINK_PROPERTIES psyberg.catalog.warehouse must be file://%s, got %r"
                       % (name, WAREHOUSE_PATH, props.get("psyberg.catalog.warehouse")))
            raw = (svc.get("environment") or {}).get("FLINK_PROPERTIES", "")
            self.check("$" not in str(raw),
                       "%s: FLINK_PROPERTIES must not contain '$' (compose interpolates it and the image's"
                       " entrypoint runs envsubst)" % name)

        tm_props = self.flink_properties(tm) or {}
        slots = tm_props.get("taskmanager.numberOfTaskSlots", "")
        self.check(slots.isdigit() and int(slots) >= 1,
                   "taskmanager: FLINK_PROPERTIES taskmanager.numberOfTaskSlots must be a positive number,"
                   " got %r" % slots)
        # Flink's Prometheus reporter on the JobManager (the source's metrics) and the TaskManager
        # (writers, committer), each on a published port.
        for name, svc in (("jobmanager", jm), ("taskmanager", tm)):
            self.check_prometheus(name, svc)
        sc_props = self.flink_properties(sc) or {}
        self.check(sc_props.get("rest.address") == "jobmanager",
                   "sql-client: FLINK_PROPERTIES rest.address must be 'jobmanager' (where it submits)")

        init = services.get("warehouse-init")
        if init is not None:
            dep = (jm.get("depends_on") or {})
            cond = dep.get("warehouse-init", {}).get("condition") if isinstance(dep, dict) else None
            self.check(cond == "service_completed_successfully",
                       "jobmanager must depend on warehouse-init with condition service_completed_successfully")

        sql_dir = os.path.join(self.compose_dir, "sql")
        if os.path.isdir(sql_dir):
            for f in sorted(os.listdir(sql_dir)):
                if f.endswith(".sql"):
                    with open(os.path.join(sql_dir, f), encoding="utf-8") as fh:
                        text = fh.read()
                    others = [w for w in re.findall(r"'file://[^']*'", text) if w != "'file://%s'" % WAREHOUSE_PATH]
                    self.check(not others, "sql/%s names a warehouse other than file://%s: %r"
                               % (f, WAREHOUSE_PATH, others))

    def check_prometheus(self, name, svc):
        props = self.flink_properties(svc) or {}
        self.check(props.get("metrics.reporter.prom.factory.class") == PROMETHEUS_FACTORY,
                   "%s: FLINK_PROPERTIES metrics.reporter.prom.factory.class must be %s, got %r"
                   % (name, PROMETHEUS_FACTORY, props.get("metrics.reporter.prom.factory.class")))
        port = str(props.get("metrics.reporter.prom.port", ""))
        ports = [str(p) for p in svc.get("ports") or []]
        self.check(port.isdigit() and any(p.split(":")[-1] == port for p in ports),
                   "%s: the Prometheus reporter port %r is not published (ports: %r)" % (name, port, ports))

    def check_application(self, override):
        services = override.get("services") or {}
        jm = services.get("jobmanager") or {}
        command = jm.get("command", "")
        words = command.split() if isinstance(command, str) else [str(w) for w in command]
        self.check(words[:1] == ["standalone-job"],
                   "application override: jobmanager command must start with 'standalone-job', got %r" % command)
        self.check("--job-classname" in words and words[words.index("--job-classname") + 1:][:1] == [MAIN_CLASS],
                   "application override: --job-classname %s is missing" % MAIN_CLASS)
        src = os.path.join(REPO, "examples", "src", "main", "java", *MAIN_CLASS.split(".")) + ".java"
        self.check(os.path.isfile(src), "application override: main class source %s not found" % src)
        mounts = self.mounts(jm)
        self.check(any(str(m.get("target", "")).startswith("/opt/flink/usrlib/")
                       and self.resolve(m.get("source", "")) == os.path.join(REPO, "examples", "target", "psyberg-examples.jar")
                       for m in mounts),
                   "application override: the examples jar must be mounted into /opt/flink/usrlib/")
        props = self.flink_properties(jm) or {}
        self.check(props.get("jobmanager.rpc.address") == "jobmanager",
                   "application override: FLINK_PROPERTIES jobmanager.rpc.address must be 'jobmanager'")
        self.check(props.get("psyberg.catalog.warehouse") == "file://" + WAREHOUSE_PATH,
                   "application override: FLINK_PROPERTIES must keep psyberg.catalog.warehouse")
        self.check(props.get("metrics.reporter.prom.factory.class") == PROMETHEUS_FACTORY,
                   "application override: FLINK_PROPERTIES must keep the Prometheus reporter")
        self.check(props.get("execution.attached") == "true",
                   "application override: set execution.attached: true (the CLI reads the job's result)")


def run(compose_dir, main_file, app_file, use_pyyaml, quiet=False):
    checker = Checker(compose_dir)
    try:
        compose, how = parse_yaml(main_file, use_pyyaml)
        checker.check_main(compose or {})
        if app_file:
            override, _ = parse_yaml(app_file, use_pyyaml)
            checker.check_application(override or {})
    except (YamlError, OSError, ValueError) as e:
        checker.failures.append("cannot parse: %s" % e)
        how = "-"
    if not quiet:
        print("parsed with: %s" % how)
        for f in checker.failures:
            print("FAIL: " + f)
        print("%d passed, %d failed" % (checker.passed, len(checker.failures)))
    return checker.failures


def set_flink_property(compose, service, key, value):
    """Sets (or, with value None, removes) one FLINK_PROPERTIES line of a service: for self-tests."""
    s = compose["services"][service]
    lines = [l for l in s["environment"]["FLINK_PROPERTIES"].splitlines() if not l.startswith(key + ":")]
    if value is not None:
        lines.append("%s: %s" % (key, value))
    s["environment"]["FLINK_PROPERTIES"] = "\n".join(lines) + "\n"


def self_test(use_pyyaml):
    """Each breaking change of the real compose file must be caught by the checks."""
    import copy

    main_file = os.path.join(HERE, "docker-compose.yml")
    compose, _ = parse_yaml(main_file, use_pyyaml)

    def svc(c, name):
        return c["services"][name]

    def drop_jar(c):
        s = svc(c, "taskmanager")
        s["volumes"] = [m for m in s["volumes"] if "sql-connector" not in str(m.get("source"))]

    set_prop = set_flink_property

    def move_warehouse(c):
        for m in svc(c, "sql-client")["volumes"]:
            if m.get("source") == WAREHOUSE_VOLUME:
                m["target"] = "/data/warehouse"

    def jar_version(c):
        for m in svc(c, "jobmanager")["volumes"]:
            if "sql-connector" in str(m.get("source")):
                m["source"] = "../sql-connector/target/psyberg-flink-sql-connector-9.9.9.jar"

    mutations = {
        "older image tag": lambda c: svc(c, "taskmanager").update(image="flink:1.17.2-scala_2.12-java11"),
        "no SQL jar mount on the taskmanager": drop_jar,
        "jar name not the project version": jar_version,
        "warehouse at another path": move_warehouse,
        "warehouse property missing": lambda c: set_prop(c, "jobmanager", "psyberg.catalog.warehouse", None),
        "warehouse property elsewhere": lambda c: set_prop(c, "taskmanager", "psyberg.catalog.warehouse", "file:///tmp/wh"),
        "taskmanager slots missing": lambda c: set_prop(c, "taskmanager", "taskmanager.numberOfTaskSlots", None),
        "JobManager address wrong": lambda c: set_prop(c, "sql-client", "jobmanager.rpc.address", "localhost"),
        "sql-client service missing": lambda c: c["services"].pop("sql-client"),
        "warehouse volume undeclared": lambda c: c["volumes"].pop(WAREHOUSE_VOLUME),
        "no Prometheus reporter on the taskmanager": lambda c: set_prop(
            c, "taskmanager", "metrics.reporter.prom.factory.class", None),
        "Prometheus port not published": lambda c: svc(c, "jobmanager").update(ports=["8081:8081"]),
    }
    ok = True
    for name, mutate in mutations.items():
        mutated = copy.deepcopy(compose)
        mutate(mutated)
        checker = Checker(HERE)
        try:
            checker.check_main(mutated)
        except (KeyError, TypeError, AttributeError) as e:
            checker.failures.append("crashed: %r" % e)
        if checker.failures:
            print("self-test: %-38s caught: %s" % (name, checker.failures[0][:100]))
        else:
            print("SELF-TEST FAILED: %r was not caught" % name)
            ok = False
    try:
        MiniYaml("services:\n  x: [\n").parse()
        print("SELF-TEST FAILED: the built-in parser accepted broken YAML")
        ok = False
    except YamlError as e:
        print("self-test: %-38s caught: %s" % ("broken YAML", str(e)[:100]))
    return ok


def main(argv):
    use_pyyaml = "--no-pyyaml" not in argv
    failures = run(HERE, os.path.join(HERE, "docker-compose.yml"),
                   os.path.join(HERE, "docker-compose.application.yml"), use_pyyaml)
    ok = not failures
    if "--self-test" in argv:
        ok = self_test(use_pyyaml) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
