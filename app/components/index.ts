/** Domain-free UI primitives. Features import from '@app/components'. */
export { Alert, type AlertTone } from './Alert';
export { Button, ButtonLink, type ButtonVariant } from './Button';
export { Dialog } from './Dialog';
export { Icon, PathIcon, type IconName } from './Icon';
export { Badge, Card, EmptyState, Loading, Narrow, PageHeader, useDocumentTitle } from './Layout';
export { SelectField, TextField } from './TextField';
export { CopyField } from './CopyField';
