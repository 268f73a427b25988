/**
 * engine/: what the CLI does, as a library: loading spec files, environments, the synthesis
 * pipeline (load -> resolve environment -> validate -> render -> cross-check -> serialize ->
 * write; see pipeline.ts), the analysis of synthesized manifests (verify, trust graph) and
 * development certificates.
 *
 * May import: constructs/, spec/, render/, analysis/. Never cli/.
 */
export {
  SpecDocument, SpecIssue, LoadedSpecs, SynthOptions, SynthResult, SynthesizeAppOptions, BASE_ENV, formatIssue, loadSpecFiles,
  synthesizeDocuments, synthesizeApp, validateDocuments, toYaml,
} from './synth';
export { DevCertificateAuthority, IssuedCertificate, CertificateRequest, KeyPairPem } from './dev-certs';
export { DeclaredPath, VerifyOptions, VerifyResult, verifyFolder, verifyObjects, formatVerify } from './verify';
export { SpecReadLimits } from './safe-read';
export { synthesizeCharts } from './library-synth';
