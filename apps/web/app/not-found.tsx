import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="public-main">
      <h1>Page not found</h1>
      <p className="muted">There is no page at this address.</p>
      <p>
        <Link href="/">Go to the dashboard</Link>
      </p>
    </main>
  );
}
