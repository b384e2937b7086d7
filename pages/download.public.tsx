import type { GetServerSideProps } from 'next';
import Link from '@/app/_components/link';
import { currentRelease, PUBLIC_KEY_FILE, type Artifact } from '@/lib/portal/releases';
import { Badge, formatBytes, PageIntro } from '@/app/(site)/_components/ui';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

type Props =
  | { published: false; reason: string }
  | {
      published: true;
      version: string;
      keyFingerprint: string;
      publicKeyFile: string;
      artifacts: Array<Pick<Artifact, 'file' | 'title' | 'platform' | 'size' | 'sha256' | 'checksumFile' | 'signatureFile' | 'entitlement'>>;
    };

// The release folder is read on the server (its module checks files and signatures).
export const getServerSideProps: GetServerSideProps<Props> = async () => {
  const lookup = currentRelease();
  if (!lookup.published) return { props: { published: false, reason: lookup.reason } };
  const { manifest, keyFingerprint, artifacts } = lookup.release;
  return {
    props: {
      published: true,
      version: manifest.version,
      keyFingerprint,
      publicKeyFile: PUBLIC_KEY_FILE,
      artifacts: artifacts.map(({ file, title, platform, size, sha256, checksumFile, signatureFile, entitlement }) => ({ file, title, platform, size, sha256, checksumFile, signatureFile, entitlement })),
    },
  };
};

const file = (name: string) => `/download/files/${encodeURIComponent(name)}`;

export default function Download(lookup: Props) {
  return (
    <SitePage title="Download" description="The Release Passport trial installer, with sha256 checksums, Ed25519 signatures and how to verify them.">
      <main id="main" className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
        <PageIntro eyebrow="Download" title="Install Release Passport">
          The trial installer is the complete runtime: unlicensed, it does everything except enforce policy on production
          environments. Verify every download before you install it.
        </PageIntro>

        {!lookup.published ? (
          <section className="mt-12 rounded-xl border border-slate-200 p-6 dark:border-slate-800" aria-labelledby="none">
            <h2 id="none" className="font-semibold text-slate-900 dark:text-white">No release available</h2>
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
              {lookup.reason} Check the <Link href="/status" className="font-medium text-brand-700 underline dark:text-brand-100">status page</Link> or
              come back later.
            </p>
          </section>
        ) : (
          <>
            <section className="mt-12" aria-labelledby="files">
              <h2 id="files" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">
                Version {lookup.version}
              </h2>
              <div className="mt-6 overflow-x-auto">
                <table className="w-full min-w-[48rem] text-left text-sm">
                  <thead>
                    <tr className="border-b border-slate-300 dark:border-slate-700">
                      {['Package', 'Platform', 'Size', 'sha256', 'Files'].map((heading) => (
                        <th key={heading} scope="col" className="py-3 pr-4 font-semibold text-slate-900 dark:text-white">{heading}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {lookup.artifacts.map((artifact) => (
                      <tr key={artifact.file} className="border-b border-slate-200 align-top dark:border-slate-800">
                        <th scope="row" className="py-3 pr-4 font-medium text-slate-900 dark:text-white">
                          {artifact.title}
                          <div className="mt-1">{artifact.entitlement ? <Badge tone="neutral">subscription</Badge> : <Badge tone="good">trial installer</Badge>}</div>
                        </th>
                        <td className="py-3 pr-4 text-slate-700 dark:text-slate-300">{artifact.platform}</td>
                        <td className="py-3 pr-4 text-slate-700 dark:text-slate-300">{formatBytes(artifact.size)}</td>
                        <td className="max-w-[16rem] py-3 pr-4 font-mono text-xs break-all text-slate-700 dark:text-slate-300">{artifact.sha256}</td>
                        <td className="py-3 pr-4">
                          {artifact.entitlement ? (
                            <Link href="/portal" className="font-medium text-brand-700 underline dark:text-brand-100">In the portal</Link>
                          ) : (
                            <ul className="space-y-1">
                              <li><a href={file(artifact.file)} className="font-medium text-brand-700 underline dark:text-brand-100" download>Download<span className="sr-only"> {artifact.title}</span></a></li>
                              <li><a href={file(artifact.checksumFile)} className="text-slate-600 underline dark:text-slate-400">.sha256</a></li>
                              <li><a href={file(artifact.signatureFile)} className="text-slate-600 underline dark:text-slate-400">.sig</a></li>
                            </ul>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>

            <section className="mt-16 max-w-3xl" aria-labelledby="verify">
              <h2 id="verify" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">Verify before you install</h2>
              <ol className="mt-4 list-decimal space-y-4 pl-6 text-slate-700 dark:text-slate-300">
                <li>
                  Download the package, its <code className="font-mono text-sm">.sha256</code> and <code className="font-mono text-sm">.sig</code> files, and the{' '}
                  <a href={file(lookup.publicKeyFile)} className="font-medium text-brand-700 underline dark:text-brand-100">release signing key</a>.
                </li>
                <li>
                  Check that the key is ours: its fingerprint (sha256 of the key&apos;s DER encoding) must be
                  <code className="mt-2 block rounded-md bg-slate-100 px-3 py-2 font-mono text-sm break-all text-slate-900 dark:bg-slate-800 dark:text-slate-100">{lookup.keyFingerprint}</code>
                  <pre className="mt-2 overflow-x-auto rounded-lg bg-slate-900 p-4 font-mono text-[13px] text-slate-100" tabIndex={0}>
                    <code>{`openssl pkey -pubin -in ${lookup.publicKeyFile} -outform DER | sha256sum`}</code>
                  </pre>
                </li>
                {lookup.artifacts.filter((artifact) => !artifact.entitlement).slice(0, 1).map((artifact) => (
                  <li key={artifact.file}>
                    Check the checksum and the signature:
                    <pre className="mt-2 overflow-x-auto rounded-lg bg-slate-900 p-4 font-mono text-[13px] text-slate-100" tabIndex={0}>
                      <code>{`sha256sum -c ${artifact.checksumFile}
openssl pkeyutl -verify -pubin -inkey ${lookup.publicKeyFile} -rawin \\
  -in ${artifact.file} -sigfile ${artifact.signatureFile}`}</code>
                    </pre>
                    Both must succeed (<code className="font-mono text-sm">OK</code> and <code className="font-mono text-sm">Signature Verified Successfully</code>). If either fails, do not install the package.
                  </li>
                ))}
                <li>
                  Follow the <Link href="/docs/install" className="font-medium text-brand-700 underline dark:text-brand-100">install guide</Link>.
                </li>
              </ol>
            </section>
          </>
        )}
      </main>
    </SitePage>
  );
}
