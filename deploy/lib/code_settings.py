"""The configuration keys the code reads (the C# sources of the hosts, not tests), the defaults it reads them with, and
the ids a silo uses when none are set: what check_manifests.py checks the settings of the manifests and Dockerfiles
against."""
import glob, re


def read_code_settings(notes):
    """(setting_ok, defaults, default_id): whether a setting is one the code reads, the defaults of the keys read with
    one, and the ids of a silo without Cluster__ServiceId / Cluster__ClusterId. Notes the keys."""
    sources = [f for pattern in ("grains/**/*.cs", "gateway/**/*.cs", "silo/**/*.cs", "admin/**/*.cs")
               for f in glob.glob(pattern, recursive=True) if "/bin/" not in f and "/obj/" not in f]
    keys, prefixes, defaults = set(), set(), {}
    for f in sources:
        text = open(f, encoding="utf-8").read()
        for m in re.finditer(r'[Cc]onfiguration\["([A-Za-z][\w:]*)"\]', text):
            keys.add(m.group(1).lower())
        for m in re.finditer(r'GetValue(?:<\w+>)?\("([A-Za-z]\w*:[\w:]+)",\s*([^)]+)\)', text):
            keys.add(m.group(1).lower()); defaults[m.group(1).lower()] = m.group(2).strip()
        for m in re.finditer(r'GetConnectionString\("(\w+)"\)', text):
            keys.add(f"connectionstrings:{m.group(1).lower()}")
        for m in re.finditer(r'GetSection\("([A-Za-z][\w:]*)"\)', text):
            prefixes.add(m.group(1).lower() + ":")
    notes.append(f"settings read by the code ({len(sources)} files): " + ", ".join(sorted(keys)) +
                 "; and every key under " + ", ".join(sorted(prefixes)))
    # The ids a silo uses when Cluster__ServiceId / Cluster__ClusterId are not set.
    default_id = re.search(r'const string DefaultId = "([^"]+)"', open("grains/Hosting/TokensSettings.cs").read()).group(1)

    def setting_ok(name):
        key = name.replace("__", ":").lower()
        return key in keys or any(key.startswith(p) and len(key) > len(p) for p in prefixes)

    return setting_ok, defaults, default_id
