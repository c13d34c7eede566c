#!/usr/bin/python3
"""Turns one workload of the Kubernetes manifests into `podman run` options, read at run time so the
containers run with exactly what the manifests say (containers/loop.sh; another change to a limit, a JVM
flag or a mount in k8s/ reaches the container test without touching it).

  k8s-to-podman.py --base k8s/base --kind Deployment --name inference-service \
      --secrets secrets.json --workdir DIR [--container NAME] [--read-only-root] [--volume-prefix P]
  k8s-to-podman.py --base k8s/base --kind Deployment --name inference-service --probe readinessProbe

Reads the Kustomization's resources (files and folders, recursively; configMapGenerator files too) and
prints NUL-separated words: the podman run options, the image, then the container's args. Taken from the
manifests:
  resources.limits.memory/cpu        -> --memory (and --memory-swap: no swap, as on a kubelet), --cpus
  pod + container securityContext    -> --user runAsUser:runAsGroup, --group-add fsGroup, --read-only,
                                        --cap-drop/--cap-add, --security-opt no-new-privileges
  env (value with $(VAR) expansion,  -> an --env-file (mode 0600; secrets never on a command line)
       secretKeyRef, configMapKeyRef, fieldRef metadata.name/namespace), envFrom configMapRef/secretRef
  volumeMounts: emptyDir             -> --tmpfs PATH (size = sizeLimit, mode 1777)
                configMap            -> its files written under --workdir, mounted read-only
                volumeClaimTemplates -> a podman volume named POD-CLAIM (:U, chowned to the user)
  command / args                     -> --entrypoint / trailing args
What a kubelet does and this does not (printed by --explain): probes (the caller waits on the same
endpoints), Services (the caller gives network aliases), cpu/memory requests (scheduling only).
--read-only-root forces a read-only root filesystem with a tmpfs at /tmp even where the manifest allows a
writable one (the Kafka StatefulSet, because the public apache/kafka image writes its config at start).
A secret the manifests reference but --secrets lacks is an error, as a missing Secret key is for a Pod.
"""
import argparse
import json
import os
import re
import sys

import yaml

QUANTITY = re.compile(r'^([0-9.]+)([a-zA-Z]*)$')
BINARY = {'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40}
DECIMAL = {'': 1, 'k': 10 ** 3, 'M': 10 ** 6, 'G': 10 ** 9, 'T': 10 ** 12}


def fail(message):
    sys.stderr.write('k8s-to-podman: %s\n' % message)
    sys.exit(2)


def bytes_of(quantity):
    match = QUANTITY.match(str(quantity))
    if not match or (match.group(2) not in BINARY and match.group(2) not in DECIMAL):
        fail('unsupported memory quantity %r' % quantity)
    number, unit = float(match.group(1)), match.group(2)
    return int(number * BINARY.get(unit, DECIMAL.get(unit)))


def cpus_of(quantity):
    text = str(quantity)
    return float(text[:-1]) / 1000 if text.endswith('m') else float(text)


def load_kustomization(folder, documents, generated):
    """Appends the documents of the kustomization in folder (resources recursively) to documents."""
    path = os.path.join(folder, 'kustomization.yaml')
    with open(path) as stream:
        kustomization = yaml.safe_load(stream)
    for resource in kustomization.get('resources', []):
        target = os.path.normpath(os.path.join(folder, resource))
        if os.path.isdir(target):
            load_kustomization(target, documents, generated)
        else:
            with open(target) as stream:
                documents.extend(doc for doc in yaml.safe_load_all(stream) if doc)
    for generator in kustomization.get('configMapGenerator', []):
        files = {}
        for entry in generator.get('files', []):
            key, _, source = entry.partition('=') if '=' in entry else (os.path.basename(entry), '', entry)
            with open(os.path.join(folder, source)) as stream:
                files[key] = stream.read()
        generated[generator['name']] = files


def find(documents, kind, name):
    for doc in documents:
        if doc.get('kind') == kind and doc.get('metadata', {}).get('name') == name:
            return doc
    return None


def print_probe(container, kind):
    probe = container.get(kind)
    if probe is None:
        fail('container %s has no %s' % (container['name'], kind))
    ports = {port['name']: port['containerPort'] for port in container.get('ports', []) if 'name' in port}
    if 'httpGet' in probe:
        port = probe['httpGet']['port']
        print('http %s %s' % (ports.get(port, port), probe['httpGet'].get('path', '/')))
    elif 'tcpSocket' in probe:
        port = probe['tcpSocket']['port']
        print('tcp %s' % ports.get(port, port))
    else:
        fail('%s of %s: only httpGet and tcpSocket are supported' % (kind, container['name']))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--base', required=True)
    parser.add_argument('--kind', required=True, choices=['Deployment', 'StatefulSet', 'Job'])
    parser.add_argument('--name', required=True)
    parser.add_argument('--container')
    parser.add_argument('--secrets', help='JSON {"secret-name": {"key": "value"}}')
    parser.add_argument('--workdir')
    parser.add_argument('--pod-name')
    parser.add_argument('--volume-prefix', default='', help='prefix of the podman volumes for claim templates')
    parser.add_argument('--read-only-root', action='store_true')
    parser.add_argument('--probe', choices=['startupProbe', 'readinessProbe', 'livenessProbe'],
                        help='print the probe instead: "http PORT PATH" or "tcp PORT" (named ports resolved)')
    parser.add_argument('--explain', action='store_true', help='print a one-line summary to stderr')
    options = parser.parse_args()

    documents, generated = [], {}
    load_kustomization(options.base, documents, generated)
    namespace = None
    with open(os.path.join(options.base, 'kustomization.yaml')) as stream:
        namespace = yaml.safe_load(stream).get('namespace', 'default')
    secrets = {}
    if options.secrets:
        with open(options.secrets) as stream:
            secrets = json.load(stream)

    workload = find(documents, options.kind, options.name)
    if workload is None:
        fail('no %s %s in %s' % (options.kind, options.name, options.base))
    pod = workload['spec']['template']['spec']
    containers = pod['containers']
    container = next((c for c in containers if c['name'] == (options.container or c['name'])), None)
    if container is None:
        fail('no container %s in %s %s' % (options.container, options.kind, options.name))
    if options.probe:
        print_probe(container, options.probe)
        return
    pod_name = options.pod_name or (options.name + '-0' if options.kind == 'StatefulSet' else options.name)

    def config_map(name):
        doc = find(documents, 'ConfigMap', name)
        if doc is not None:
            return doc.get('data', {})
        if name in generated:
            return generated[name]
        fail('ConfigMap %s is referenced but not in the manifests' % name)

    def secret_value(name, key):
        if key not in secrets.get(name, {}):
            fail('secret "%s" key "%s" is referenced but not given (--secrets)' % (name, key))
        return secrets[name][key]

    words, summary = [], []
    env = {}
    for source in container.get('envFrom', []):
        if 'configMapRef' in source:
            env.update(config_map(source['configMapRef']['name']))
        elif 'secretRef' in source:
            env.update(secrets.get(source['secretRef']['name'], {}))
    fields = {'metadata.name': pod_name, 'metadata.namespace': namespace}
    for item in container.get('env', []):
        if 'value' in item:
            # Kubernetes expands $(VAR) from variables defined before; $$ escapes.
            env[item['name']] = re.sub(r'\$\(([A-Za-z_][A-Za-z0-9_]*)\)',
                                       lambda m: env.get(m.group(1), m.group(0)), str(item['value']))
        else:
            ref = item['valueFrom']
            if 'secretKeyRef' in ref:
                env[item['name']] = secret_value(ref['secretKeyRef']['name'], ref['secretKeyRef']['key'])
            elif 'configMapKeyRef' in ref:
                env[item['name']] = config_map(ref['configMapKeyRef']['name'])[ref['configMapKeyRef']['key']]
            elif 'fieldRef' in ref and ref['fieldRef']['fieldPath'] in fields:
                env[item['name']] = fields[ref['fieldRef']['fieldPath']]
            else:
                fail('env %s: unsupported valueFrom %s' % (item['name'], ref))
    if not options.workdir:
        fail('--workdir is required')
    os.makedirs(options.workdir, exist_ok=True)
    env_file = os.path.join(options.workdir, pod_name + '.env')
    descriptor = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w') as stream:
        for key, value in env.items():
            if '\n' in str(value):
                fail('env %s has a newline, which an env-file cannot carry' % key)
            stream.write('%s=%s\n' % (key, value))
    words += ['--env-file', env_file, '--hostname', pod_name]
    if 'JAVA_OPTS' in env:
        summary.append('JAVA_OPTS=%s' % env['JAVA_OPTS'])

    limits = container.get('resources', {}).get('limits', {})
    if 'memory' in limits:
        memory = bytes_of(limits['memory'])
        words += ['--memory', str(memory), '--memory-swap', str(memory)]
        summary.append('memory %s' % limits['memory'])
    if 'cpu' in limits:
        words += ['--cpus', '%g' % cpus_of(limits['cpu'])]
        summary.append('cpus %s' % limits['cpu'])

    security = dict(pod.get('securityContext', {}))
    security.update(container.get('securityContext', {}))
    if 'runAsUser' in security:
        user = str(security['runAsUser'])
        if 'runAsGroup' in security:
            user += ':%s' % security['runAsGroup']
        words += ['--user', user]
        summary.append('user %s' % user)
    if 'fsGroup' in pod.get('securityContext', {}):
        words += ['--group-add', str(pod['securityContext']['fsGroup'])]
    read_only = security.get('readOnlyRootFilesystem', False) or options.read_only_root
    if read_only:
        words.append('--read-only')
        summary.append('read-only root' + (' (forced)' if options.read_only_root and not
                                           security.get('readOnlyRootFilesystem') else ''))
    capabilities = security.get('capabilities', {})
    for capability in capabilities.get('drop', []):
        words += ['--cap-drop', capability]
    for capability in capabilities.get('add', []):
        words += ['--cap-add', capability]
    if capabilities.get('drop'):
        summary.append('cap-drop %s' % ','.join(capabilities['drop']))
    if security.get('allowPrivilegeEscalation') is False:
        words += ['--security-opt', 'no-new-privileges']

    volumes = {volume['name']: volume for volume in pod.get('volumes', [])}
    claims = {claim['metadata']['name'] for claim in workload['spec'].get('volumeClaimTemplates', [])}
    mounted = set()
    for mount in container.get('volumeMounts', []):
        path, name = mount['mountPath'], mount['name']
        mounted.add(path)
        if name in claims:
            words += ['-v', '%s%s-%s:%s:U' % (options.volume_prefix, name, pod_name, path)]
            summary.append('volume %s' % path)
            continue
        volume = volumes.get(name)
        if volume is None:
            fail('volumeMount %s has no volume' % name)
        if 'emptyDir' in volume:
            size = (volume['emptyDir'] or {}).get('sizeLimit')
            words += ['--tmpfs', '%s:rw,mode=1777%s' % (path, ',size=%d' % bytes_of(size) if size else '')]
            summary.append('tmpfs %s%s' % (path, ' (%s)' % size if size else ''))
        elif 'configMap' in volume:
            folder = os.path.join(options.workdir, '%s-%s' % (pod_name, name))
            os.makedirs(folder, exist_ok=True)
            for key, value in config_map(volume['configMap']['name']).items():
                with open(os.path.join(folder, key), 'w') as stream:
                    stream.write(value)
            os.chmod(folder, 0o755)
            words += ['-v', '%s:%s:ro' % (folder, path)]
            summary.append('configMap %s' % path)
        else:
            fail('volume %s: only emptyDir, configMap and claim templates are supported' % name)
    if options.read_only_root and '/tmp' not in mounted:
        words += ['--tmpfs', '/tmp:rw,mode=1777']
        summary.append('tmpfs /tmp (forced)')

    if 'command' in container:
        words += ['--entrypoint', json.dumps(container['command'])]
    words.append(container['image'])
    words += [str(arg) for arg in container.get('args', [])]
    if options.explain:
        sys.stderr.write('%s %s: %s\n' % (options.kind, options.name, '; '.join(summary)))
    sys.stdout.write('\0'.join(words) + '\0')


if __name__ == '__main__':
    main()
