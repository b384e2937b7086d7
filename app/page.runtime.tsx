import { redirect } from 'next/navigation';

export default function RuntimeHome() {
  redirect('/console');
}
