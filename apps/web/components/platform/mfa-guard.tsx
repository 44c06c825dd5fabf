'use client';
import { useEffect } from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { MFA_ENROLLMENT_EVENT } from '@/lib/api';
import { useToast } from '@/components/ui';

export const MFA_ENROLMENT_PATH = '/security';

/**
 * A member of an organisation that requires two-factor sign-in, who has not enrolled,
 * gets 403 `mfa_enrollment_required` from most routes: the API client announces it
 * and this sends them to enrolment (once per page, not on every failing query).
 */
export function MfaEnrollmentGuard() {
  const router = useRouter();
  const pathname = usePathname();
  const toast = useToast();
  useEffect(() => {
    let sent = false;
    const onRequired = () => {
      if (sent || window.location.pathname.replace(/\/+$/, '') === MFA_ENROLMENT_PATH) return;
      sent = true;
      toast.show({ title: 'Two-factor authentication required', message: 'Your organisation requires it: set it up to continue.', tone: 'warning' });
      router.replace(`${MFA_ENROLMENT_PATH}?enrol=1`);
    };
    window.addEventListener(MFA_ENROLLMENT_EVENT, onRequired);
    return () => window.removeEventListener(MFA_ENROLLMENT_EVENT, onRequired);
  }, [router, pathname, toast]);
  return null;
}
