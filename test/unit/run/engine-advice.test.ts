import { strict as assert } from 'node:assert';
import { unreachableAdvice } from '../../../src/core/run/engine-advice';

describe('advice for an unreachable engine, by where the engine is', () => {
  it('an ssh:// engine: the ssh command to try (port as -p), the known_hosts and key settings; never "start Docker"', () => {
    const a = unreachableAdvice('ssh://root@127.0.0.1:39461');
    assert.match(a, /`ssh -p 39461 root@127\.0\.0\.1 docker info`/);
    assert.match(a, /MLCI_SSH_KNOWN_HOSTS/);
    assert.match(a, /MLCI_SSH_KEY/);
    assert.doesNotMatch(a, /systemctl start docker/);
    assert.match(unreachableAdvice("ssh://gpu-box (engine 'gpu')"), /`ssh gpu-box docker info`/);
  });

  it('a tcp:// engine: the address to check; the local socket: start Docker', () => {
    assert.match(unreachableAdvice('tcp://10.0.0.2:2375'), /engine listens at that address/);
    assert.doesNotMatch(unreachableAdvice('tcp://10.0.0.2:2375'), /systemctl/);
    assert.match(unreachableAdvice('unix:///var/run/docker.sock (default)'), /systemctl start docker/);
  });

  it('the CLI names --executor local; VS Code (which offers host runs as buttons) names mlci.dockerHost instead', () => {
    for (const h of ['ssh://u@h', 'tcp://h:2375', 'unix:///x.sock']) {
      assert.match(unreachableAdvice(h), /--executor local\.$/);
      assert.doesNotMatch(unreachableAdvice(h, true), /--executor/);
    }
    assert.match(unreachableAdvice('unix:///x.sock', true), /mlci\.dockerHost/);
  });
});
