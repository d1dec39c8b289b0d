import type { BackendName } from './workerProtocol';

/** How a message names the trainer a run used: the setting's values mean little to a reader ("on js"). */
export function backendLabel(backend: BackendName): string {
  switch (backend) {
    case 'tensorflow':
      return 'native TensorFlow';
    case 'js':
      return 'the built-in trainer';
    case 'wasm':
      return 'TensorFlow.js (WebAssembly)';
    case 'cpu':
      return 'TensorFlow.js (plain JavaScript)';
  }
}
