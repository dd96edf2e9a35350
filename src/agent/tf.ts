/**
 * TensorFlow.js as allocsim uses it: the core ops and the pure-JS cpu backend
 * (the wasm backend loads on demand in `backend.ts`, tfjs-node when installed).
 * tfjs-layers is imported for its side effect only: tfjs-core's Node build
 * registers no gradient functions, and the Node build of tfjs-layers is the one
 * package besides the whole `@tensorflow/tfjs` umbrella (webgl, converter, data)
 * that registers all of them, which PPO's `variableGrads` needs.
 */
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
